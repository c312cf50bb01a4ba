import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReviewTasks1764292100000 implements MigrationInterface {
  name = 'CreateReviewTasks1764292100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(8) NOT NULL CONSTRAINT review_tasks_type_check CHECK (type IN ('kyb', 'app')),
        subject_id uuid NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        stage varchar(8) NOT NULL DEFAULT 'first' CONSTRAINT review_tasks_stage_check CHECK (stage IN ('first', 'second')),
        status varchar(12) NOT NULL DEFAULT 'pending' CONSTRAINT review_tasks_status_check CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
        risk_level varchar(8) NOT NULL,
        -- The queue order, denormalised so the claim reads one index: second approvals, then risk, then due time.
        stage_rank smallint NOT NULL,
        risk_rank smallint NOT NULL,
        due_at timestamptz NOT NULL,
        claimed_by uuid REFERENCES users(id),
        claim_version integer NOT NULL DEFAULT 0,
        lease_expires_at timestamptz,
        first_approver_id uuid REFERENCES users(id),
        sla_alerted_at timestamptz,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX review_tasks_queue_idx ON review_tasks (stage_rank, risk_rank, due_at, id) WHERE status IN ('pending', 'claimed')`,
    );
    await q.query(`CREATE INDEX review_tasks_subject_idx ON review_tasks (subject_id, created_at)`);
    await q.query(`
      CREATE TABLE review_decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_id uuid NOT NULL REFERENCES review_tasks(id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        reviewer_id uuid NOT NULL REFERENCES users(id),
        stage varchar(8) NOT NULL,
        decision varchar(16) NOT NULL CONSTRAINT review_decisions_decision_check CHECK (decision IN ('approve', 'reject', 'request_info')),
        reason_codes text[] NOT NULL,
        note text NOT NULL,
        requested_items jsonb NOT NULL,
        claim_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX review_decisions_organisation_idx ON review_decisions (organisation_id, created_at)`);
    await q.query(`
      CREATE TABLE reviewer_digests (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        last_sent_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reviewer_digests');
    await q.query('DROP TABLE review_decisions');
    await q.query('DROP TABLE review_tasks');
  }
}
