import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The job outbox relay hands each row off on its own (src/queue/job-outbox.ts): a row whose
 * hand-off fails records the attempt and its error and waits until `next_attempt_at`; after the
 * relay's last attempt it is parked (`dead_at`) so rows after it still go through. Existing rows
 * start with no attempts and are due at once.
 */
export class JobOutboxAttempts1764293000000 implements MigrationInterface {
  name = 'JobOutboxAttempts1764293000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE job_outbox
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN dead_at timestamptz`);
    // The relay reads due rows in id order; parked rows are left out of the index it scans.
    await q.query(`CREATE INDEX job_outbox_due_idx ON job_outbox (next_attempt_at, id) WHERE dead_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX job_outbox_due_idx`);
    await q.query(
      `ALTER TABLE job_outbox
         DROP COLUMN dead_at, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN attempts`,
    );
  }
}
