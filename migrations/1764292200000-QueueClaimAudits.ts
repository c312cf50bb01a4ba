import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Frequent events (review claims and releases) wait here, written in their own transaction, and a
 * worker links them into the hash chain in batches, so they do not queue on the chain's head lock.
 * The claim queue only ever looks at pending tasks; expired leases are put back by the claim itself.
 */
export class QueueClaimAudits1764292200000 implements MigrationInterface {
  name = 'QueueClaimAudits1764292200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_queue (
        id bigserial PRIMARY KEY,
        actor_type varchar(32) NOT NULL,
        actor_id varchar(64),
        action varchar(96) NOT NULL,
        subject_type varchar(32) NOT NULL,
        subject_id varchar(64),
        before jsonb,
        after jsonb,
        request_id varchar(128),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`DROP INDEX review_tasks_queue_idx`);
    await q.query(
      `CREATE INDEX review_tasks_queue_idx ON review_tasks (stage_rank, risk_rank, due_at, id) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX review_tasks_lease_idx ON review_tasks (lease_expires_at) WHERE status = 'claimed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX review_tasks_lease_idx`);
    await q.query(`DROP INDEX review_tasks_queue_idx`);
    await q.query(
      `CREATE INDEX review_tasks_queue_idx ON review_tasks (stage_rank, risk_rank, due_at, id) WHERE status IN ('pending', 'claimed')`,
    );
    await q.query(`DROP TABLE audit_queue`);
  }
}
