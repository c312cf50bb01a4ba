import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateKyb1764291900000 implements MigrationInterface {
  name = 'CreateKyb1764291900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organisations ADD COLUMN risk_level varchar(8), ADD COLUMN submitted_at timestamptz, ADD COLUMN decided_at timestamptz,
      ADD COLUMN approved_at timestamptz, ADD COLUMN verification_reasons jsonb NOT NULL DEFAULT '[]'::jsonb, ADD COLUMN requested_items jsonb NOT NULL DEFAULT '[]'::jsonb`);
    // The defaults filled existing rows; new rows get their values from the application.
    await q.query(
      `ALTER TABLE organisations ALTER COLUMN verification_reasons DROP DEFAULT, ALTER COLUMN requested_items DROP DEFAULT`,
    );
    await q.query(`
      CREATE TABLE people (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL,
        date_of_birth date NOT NULL,
        nationality char(2) NOT NULL,
        roles text[] NOT NULL,
        ownership_percent numeric(5,2),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX people_organisation_idx ON people (organisation_id, created_at)`);
    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        person_id uuid REFERENCES people(id),
        type varchar(40) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'uploaded',
        mime_type varchar(40) NOT NULL,
        size integer NOT NULL,
        sha256 char(64) NOT NULL,
        file_name varchar(255),
        document_number varchar(64),
        issuing_country char(2),
        expires_on date,
        mrz text,
        storage_key varchar(200) NOT NULL,
        wrapped_key text NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX documents_organisation_idx ON documents (organisation_id, created_at)`);
    await q.query(`CREATE INDEX documents_sha256_idx ON documents (sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE documents');
    await q.query('DROP TABLE people');
    await q.query(
      `ALTER TABLE organisations DROP COLUMN risk_level, DROP COLUMN submitted_at, DROP COLUMN decided_at, DROP COLUMN approved_at, DROP COLUMN verification_reasons, DROP COLUMN requested_items`,
    );
  }
}
