import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountsAndOrganisations1764291800000 implements MigrationInterface {
  name = 'CreateAccountsAndOrganisations1764291800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL CONSTRAINT users_kind_check CHECK (kind IN ('developer', 'staff')),
        email citext NOT NULL CONSTRAINT users_email_key UNIQUE,
        name varchar(200) NOT NULL,
        password_hash text NOT NULL,
        email_verified_at timestamptz,
        staff_role varchar(32) CONSTRAINT users_staff_role_check CHECK (staff_role IN ('reviewer', 'senior_reviewer', 'admin')),
        totp_secret text,
        totp_enabled_at timestamptz,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
        mfa_verified boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        idle_expires_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE email_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose varchar(32) NOT NULL CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify_email', 'password_reset')),
        token_hash char(64) NOT NULL CONSTRAINT email_tokens_token_hash_key UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose, created_at)`);
    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        legal_name varchar(200) NOT NULL,
        trading_name varchar(200),
        registration_number varchar(32) NOT NULL,
        country char(2) NOT NULL,
        registered_address jsonb NOT NULL,
        website varchar(256),
        regulatory_status jsonb NOT NULL,
        verification_status varchar(32) NOT NULL DEFAULT 'unverified',
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE organisation_members (
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CONSTRAINT organisation_members_role_check CHECK (role IN ('owner', 'admin', 'member')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation_id, user_id)
      )`);
    await q.query(`CREATE INDEX organisation_members_user_idx ON organisation_members (user_id)`);
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        email citext NOT NULL,
        role varchar(16) NOT NULL CONSTRAINT invitations_role_check CHECK (role IN ('owner', 'admin', 'member')),
        token_hash char(64) NOT NULL CONSTRAINT invitations_token_hash_key UNIQUE,
        invited_by uuid NOT NULL REFERENCES users(id),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invitations_organisation_idx ON invitations (organisation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['invitations', 'organisation_members', 'organisations', 'email_tokens', 'sessions', 'users'])
      await q.query(`DROP TABLE ${t}`);
  }
}
