import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutboxAndAudit1764291700000 implements MigrationInterface {
  name = 'CreateOutboxAndAudit1764291700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recipient citext NOT NULL,
        template varchar(64) NOT NULL,
        data jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CONSTRAINT outbox_messages_status_check CHECK (status IN ('pending', 'queued', 'sent', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        dispatch_generation integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        sent_at timestamptz
      )`);
    // The relay's scan: pending rows oldest first, and queued rows that may have lost their job.
    await q.query(
      `CREATE INDEX outbox_messages_pending_idx ON outbox_messages (created_at) WHERE status IN ('pending', 'queued')`,
    );
    await q.query(`CREATE INDEX outbox_messages_status_idx ON outbox_messages (status, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE audit_entries (
        id bigint PRIMARY KEY,
        actor_type varchar(32) NOT NULL,
        actor_id varchar(64),
        action varchar(96) NOT NULL,
        subject_type varchar(32) NOT NULL,
        subject_id varchar(64),
        before jsonb,
        after jsonb,
        request_id varchar(128),
        created_at timestamptz NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_entries_subject_idx ON audit_entries (subject_type, subject_id, id)`);
    await q.query(`CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_type, actor_id, id)`);
    // One row: the head of the chain. Appends lock it, which serialises them and keeps the chain linear.
    await q.query(`
      CREATE TABLE audit_head (
        singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT audit_head_singleton_check CHECK (singleton),
        last_id bigint NOT NULL,
        last_hash char(64) NOT NULL,
        entry_count bigint NOT NULL
      )`);
    await q.query(
      `INSERT INTO audit_head (singleton, last_id, last_hash, entry_count) VALUES (true, 0, repeat('0', 64), 0)`,
    );
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        last_id bigint NOT NULL,
        head_hash char(64) NOT NULL,
        entry_count bigint NOT NULL,
        key_id varchar(64) NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_created_idx ON audit_checkpoints (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_checkpoints');
    await q.query('DROP TABLE audit_head');
    await q.query('DROP TABLE audit_entries');
    await q.query('DROP TABLE outbox_messages');
  }
}
