import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an organisation was last suspended, by the database clock: review opens a kyb task for a
 * suspension only if none was created after it (src/review/kyb-cases.service.ts), so a suspended
 * case a reviewer already decided is never reopened. Organisations suspended today take the time
 * of their latest `verification.suspend` audit entry, else their last update.
 */
export class OrganisationSuspendedAt1764293100000 implements MigrationInterface {
  name = 'OrganisationSuspendedAt1764293100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organisations ADD COLUMN suspended_at timestamptz`);
    await q.query(`
      UPDATE organisations o
         SET suspended_at = COALESCE(
               (SELECT max(a.created_at) FROM audit_entries a
                 WHERE a.subject_type = 'organisation' AND a.subject_id = o.id::text
                   AND a.action = 'verification.suspend'),
               o.updated_at)
       WHERE o.verification_status = 'suspended'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organisations DROP COLUMN suspended_at`);
  }
}
