import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs announced by one area for another, written in the announcing transaction and handed to
 * BullMQ by the relay (src/queue/job-outbox.ts): a job exists if and only if the change committed.
 */
export class CreateJobOutbox1764292900000 implements MigrationInterface {
  name = 'CreateJobOutbox1764292900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_outbox (
        id bigserial PRIMARY KEY,
        name varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_outbox`);
  }
}
