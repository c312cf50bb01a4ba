import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Apps and everything that lets them in: production-access requests, client secrets (hashes
 * only), client certificates from Gatehouse's CA, idempotent issuance, and webhook deliveries.
 * Review tasks learn which cases only a senior reviewer may claim (high-tier scopes).
 */
export class CreateApps1764292500000 implements MigrationInterface {
  name = 'CreateApps1764292500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL CONSTRAINT apps_organisation_id_fkey REFERENCES organisations(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(1000) NOT NULL,
        website_url varchar(256),
        redirect_uris text[] NOT NULL,
        scopes text[] NOT NULL,
        sandbox_client_id varchar(64) NOT NULL CONSTRAINT apps_sandbox_client_id_key UNIQUE,
        production_client_id varchar(64) CONSTRAINT apps_production_client_id_key UNIQUE,
        production_status varchar(16) NOT NULL DEFAULT 'none'
          CONSTRAINT apps_production_status_check CHECK (production_status IN ('none', 'requested', 'info_requested', 'approved', 'rejected')),
        granted_scopes text[],
        suspended_at timestamptz,
        suspension_reason text,
        webhook_url varchar(256),
        webhook_secret_sealed text,
        created_by uuid NOT NULL CONSTRAINT apps_created_by_fkey REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX apps_organisation_idx ON apps (organisation_id, created_at)`);

    await q.query(`
      CREATE TABLE production_access_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL CONSTRAINT production_access_requests_app_id_fkey REFERENCES apps(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL CONSTRAINT production_access_requests_organisation_id_fkey REFERENCES organisations(id) ON DELETE CASCADE,
        scopes text[] NOT NULL,
        scope_justifications jsonb NOT NULL,
        privacy_policy_url varchar(256) NOT NULL,
        data_retention_days integer NOT NULL,
        security_attestation jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CONSTRAINT production_access_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'info_requested')),
        review_task_id uuid CONSTRAINT production_access_requests_review_task_id_fkey REFERENCES review_tasks(id),
        reasons jsonb,
        requested_items jsonb,
        requested_by uuid NOT NULL CONSTRAINT production_access_requests_requested_by_fkey REFERENCES users(id),
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX production_access_requests_app_idx ON production_access_requests (app_id, created_at)`);
    await q.query(
      `CREATE UNIQUE INDEX production_access_requests_task_idx ON production_access_requests (review_task_id)`,
    );

    await q.query(`
      CREATE TABLE app_credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL CONSTRAINT app_credentials_app_id_fkey REFERENCES apps(id) ON DELETE CASCADE,
        environment varchar(16) NOT NULL CONSTRAINT app_credentials_environment_check CHECK (environment IN ('sandbox', 'production')),
        secret_hash char(64) NOT NULL CONSTRAINT app_credentials_secret_hash_key UNIQUE,
        secret_prefix varchar(24) NOT NULL,
        created_by uuid NOT NULL CONSTRAINT app_credentials_created_by_fkey REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        superseded_at timestamptz,
        revoked_at timestamptz
      )`);
    // At most one current secret per app and environment: a rotation supersedes the old one first.
    await q.query(
      `CREATE UNIQUE INDEX app_credentials_current_idx ON app_credentials (app_id, environment) WHERE superseded_at IS NULL AND revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX app_credentials_app_idx ON app_credentials (app_id, environment, created_at)`);

    await q.query(`
      CREATE TABLE client_certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL CONSTRAINT client_certificates_app_id_fkey REFERENCES apps(id) ON DELETE CASCADE,
        serial_number varchar(64) NOT NULL CONSTRAINT client_certificates_serial_number_key UNIQUE,
        thumbprint_sha256 char(64) NOT NULL CONSTRAINT client_certificates_thumbprint_key UNIQUE,
        subject text NOT NULL,
        certificate_pem text NOT NULL,
        public_key_algorithm varchar(16) NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        revoked_at timestamptz,
        revocation_reason varchar(32),
        reminded_30_at timestamptz,
        reminded_7_at timestamptz,
        created_by uuid NOT NULL CONSTRAINT client_certificates_created_by_fkey REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX client_certificates_app_idx ON client_certificates (app_id, created_at)`);
    await q.query(
      `CREATE INDEX client_certificates_expiry_idx ON client_certificates (not_after) WHERE revoked_at IS NULL`,
    );

    // A retried credential issuance returns the first answer. The answer holds a secret, so it is
    // kept sealed with a key derived from the Idempotency-Key itself: the database alone cannot open it.
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL CONSTRAINT idempotency_keys_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
        scope varchar(200) NOT NULL,
        key_hash char(64) NOT NULL,
        request_hash char(64) NOT NULL,
        response_status smallint NOT NULL,
        response_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, scope, key_hash)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at)`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL CONSTRAINT webhook_deliveries_app_id_fkey REFERENCES apps(id) ON DELETE CASCADE,
        event_type varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        url varchar(256) NOT NULL,
        status varchar(12) NOT NULL DEFAULT 'pending' CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_status_code integer,
        last_error varchar(300),
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_app_idx ON webhook_deliveries (app_id, created_at)`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(`
      CREATE TABLE webhook_delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL CONSTRAINT webhook_delivery_attempts_delivery_id_fkey REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        status_code integer,
        error varchar(300),
        duration_ms integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_delivery_attempts_attempt_key UNIQUE (delivery_id, attempt)
      )`);

    await q.query(`ALTER TABLE review_tasks ADD COLUMN senior_only boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE review_tasks DROP COLUMN senior_only');
    await q.query('DROP TABLE webhook_delivery_attempts');
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE idempotency_keys');
    await q.query('DROP TABLE client_certificates');
    await q.query('DROP TABLE app_credentials');
    await q.query('DROP TABLE production_access_requests');
    await q.query('DROP TABLE apps');
  }
}
