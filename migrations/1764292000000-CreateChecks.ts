import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChecks1764292000000 implements MigrationInterface {
  name = 'CreateChecks1764292000000';

  async up(q: QueryRunner): Promise<void> {
    // Each submission gets a number, so results of an earlier round never count for a later one.
    await q.query(`ALTER TABLE organisations ADD COLUMN submission_count integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        submission integer NOT NULL,
        subject_type varchar(16) NOT NULL CONSTRAINT checks_subject_type_check CHECK (subject_type IN ('organisation', 'document')),
        subject_id uuid NOT NULL,
        name varchar(32) NOT NULL,
        result varchar(8) NOT NULL CONSTRAINT checks_result_check CHECK (result IN ('pass', 'warn', 'fail', 'error')),
        detail jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT checks_subject_name_key UNIQUE (organisation_id, submission, subject_type, subject_id, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE checks');
    await q.query('ALTER TABLE organisations DROP COLUMN submission_count');
  }
}
