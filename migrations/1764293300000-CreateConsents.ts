import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer consents (SPEC "Customer consents"): the consent, its versioned receipts, and the change
 * feed the decision point's in-process replicas follow.
 *
 * The change feed is gap-free by construction: `gatehouse_consent_change()` bumps a single-row
 * counter, so each change holds that row's lock until its transaction commits and sequence numbers
 * become visible in commit order (a rolled-back change rolls its number back too). A replica that
 * sees seq N+2 after N knows it missed N+1 and re-reads. Changes to an app's or an organisation's
 * standing are fed by triggers, so no code path that suspends, reinstates or lapses one can forget.
 */
export class CreateConsents1764293300000 implements MigrationInterface {
  name = 'CreateConsents1764293300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL CONSTRAINT consents_app_id_fkey REFERENCES apps (id),
        customer_id uuid NOT NULL CONSTRAINT consents_customer_id_fkey REFERENCES customers (id),
        environment varchar(10) NOT NULL CONSTRAINT consents_environment_check CHECK (environment IN ('sandbox', 'production')),
        status varchar(10) NOT NULL DEFAULT 'active'
          CONSTRAINT consents_status_check CHECK (status IN ('active', 'revoked', 'expired')),
        scopes text[] NOT NULL CONSTRAINT consents_scopes_check CHECK (cardinality(scopes) > 0),
        account_ids text[] NOT NULL CONSTRAINT consents_account_ids_check CHECK (cardinality(account_ids) > 0),
        transaction_from date,
        transaction_to date,
        merchants text[],
        categories text[],
        purpose text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz,
        revoked_by varchar(12)
          CONSTRAINT consents_revoked_by_check CHECK (revoked_by IN ('customer', 'app', 'inactivity', 'expiry', 'staff')),
        revocation_reason text,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        expiry_reminder_sent_at timestamptz,
        inactivity_warning_sent_at timestamptz,
        CONSTRAINT consents_window_check CHECK (
          (transaction_from IS NULL) = (transaction_to IS NULL) AND (transaction_from IS NULL OR transaction_from <= transaction_to)
        ),
        CONSTRAINT consents_ended_check CHECK ((status = 'active') = (revoked_at IS NULL AND revoked_by IS NULL))
      )`);
    await q.query(`CREATE INDEX consents_customer_idx ON consents (customer_id, created_at, id)`);
    await q.query(`CREATE INDEX consents_app_idx ON consents (app_id, created_at, id)`);
    // The schedulers' scans: active consents by expiry and by last use (never used counts from creation).
    await q.query(`CREATE INDEX consents_active_expiry_idx ON consents (expires_at) WHERE status = 'active'`);
    await q.query(
      `CREATE INDEX consents_active_use_idx ON consents ((COALESCE(last_used_at, created_at))) WHERE status = 'active'`,
    );

    await q.query(`
      CREATE TABLE consent_receipts (
        consent_id uuid NOT NULL CONSTRAINT consent_receipts_consent_id_fkey REFERENCES consents (id),
        version integer NOT NULL,
        wording_version varchar(40) NOT NULL,
        wording text NOT NULL,
        data_list jsonb NOT NULL,
        decision varchar(10) NOT NULL CONSTRAINT consent_receipts_decision_check CHECK (decision IN ('approved', 'narrowed')),
        decided_at timestamptz NOT NULL,
        scopes text[] NOT NULL,
        constraints jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        sha256 char(64) NOT NULL,
        PRIMARY KEY (consent_id, version)
      )`);

    await q.query(`
      CREATE TABLE consent_change_counter (
        id boolean PRIMARY KEY DEFAULT true CONSTRAINT consent_change_counter_single_row CHECK (id),
        seq bigint NOT NULL
      )`);
    await q.query(`INSERT INTO consent_change_counter (id, seq) VALUES (true, 0)`);
    await q.query(`
      CREATE TABLE consent_changes (
        seq bigint PRIMARY KEY,
        consent_id uuid,
        app_id uuid,
        organisation_id uuid,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX consent_changes_changed_at_idx ON consent_changes (changed_at)`);
    await q.query(`
      CREATE FUNCTION gatehouse_consent_change(p_consent uuid, p_app uuid, p_organisation uuid) RETURNS bigint
      LANGUAGE plpgsql AS $$
      DECLARE
        next_seq bigint;
      BEGIN
        UPDATE consent_change_counter SET seq = seq + 1 WHERE id RETURNING seq INTO next_seq;
        INSERT INTO consent_changes (seq, consent_id, app_id, organisation_id)
          VALUES (next_seq, p_consent, p_app, p_organisation);
        PERFORM pg_notify('gatehouse_consent_changes', next_seq::text);
        RETURN next_seq;
      END $$`);
    await q.query(`
      CREATE FUNCTION gatehouse_app_standing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM gatehouse_consent_change(NULL, NEW.id, NULL);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER apps_consent_standing AFTER UPDATE ON apps FOR EACH ROW
      WHEN (OLD.suspended_at IS DISTINCT FROM NEW.suspended_at
         OR OLD.production_status IS DISTINCT FROM NEW.production_status
         OR OLD.production_client_id IS DISTINCT FROM NEW.production_client_id
         OR OLD.sandbox_client_id IS DISTINCT FROM NEW.sandbox_client_id)
      EXECUTE FUNCTION gatehouse_app_standing_changed()`);
    await q.query(`
      CREATE FUNCTION gatehouse_organisation_standing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM gatehouse_consent_change(NULL, NULL, NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER organisations_consent_standing AFTER UPDATE ON organisations FOR EACH ROW
      WHEN (OLD.verification_status IS DISTINCT FROM NEW.verification_status
         OR OLD.suspended_at IS DISTINCT FROM NEW.suspended_at
         OR OLD.requested_items IS DISTINCT FROM NEW.requested_items)
      EXECUTE FUNCTION gatehouse_organisation_standing_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER organisations_consent_standing ON organisations`);
    await q.query(`DROP TRIGGER apps_consent_standing ON apps`);
    await q.query(`DROP FUNCTION gatehouse_organisation_standing_changed()`);
    await q.query(`DROP FUNCTION gatehouse_app_standing_changed()`);
    await q.query(`DROP FUNCTION gatehouse_consent_change(uuid, uuid, uuid)`);
    await q.query(`DROP TABLE consent_changes`);
    await q.query(`DROP TABLE consent_change_counter`);
    await q.query(`DROP TABLE consent_receipts`);
    await q.query(`DROP TABLE consents`);
  }
}
