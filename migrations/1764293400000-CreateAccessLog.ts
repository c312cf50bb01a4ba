import { MigrationInterface, QueryRunner } from 'typeorm';

/** Months before and after the current one whose partitions the migration creates. */
const MONTHS_BEHIND = 1;
const MONTHS_AHEAD = 3;

/**
 * The consent access log (SPEC "Customer consents", Access log): one row per read an app makes
 * through Gatehouse under a consent. Built for volume: PARTITION BY RANGE (occurred_at), one
 * partition per UTC month named `consent_access_log_YYYY_MM`, so retention drops whole partitions
 * instead of deleting rows, and the customer's read prunes the months outside its range. The
 * DEFAULT partition takes any row no monthly partition covers (a clock far off, a maintenance job
 * that has not run), so a write is never refused; `gatehouse_access_log_partition(month)` moves
 * such rows into the month's partition when it creates it.
 *
 * `consent_id` has no foreign key: a foreign key from a partitioned table checks (and locks) the
 * consent row on every insert of a hot, append-only table, and would stop consents (kept for
 * CONSENT_RECORD_RETENTION_DAYS) from ever being deleted while log partitions still name them.
 * The rows are written only by AccessLogWriter with consent ids the decision point resolved.
 *
 * `id` comes from a sequence shared by every partition: it breaks ties of occurred_at in the
 * customer's keyset order. The primary key includes the partition key, as PostgreSQL requires.
 */
export class CreateAccessLog1764293400000 implements MigrationInterface {
  name = 'CreateAccessLog1764293400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE consent_access_log_id_seq AS bigint CACHE 100`);
    await q.query(`
      CREATE TABLE consent_access_log (
        id bigint NOT NULL DEFAULT nextval('consent_access_log_id_seq'),
        consent_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        endpoint text NOT NULL,
        account_ids text[] NOT NULL DEFAULT '{}',
        date_from date,
        date_to date,
        records integer NOT NULL CONSTRAINT consent_access_log_records_check CHECK (records >= 0),
        request_id text,
        CONSTRAINT consent_access_log_pkey PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await q.query(`ALTER SEQUENCE consent_access_log_id_seq OWNED BY consent_access_log.id`);
    // The customer's read: one consent, newest first, keyset on (occurred_at, id).
    await q.query(
      `CREATE INDEX consent_access_log_consent_idx ON consent_access_log (consent_id, occurred_at DESC, id DESC)`,
    );
    await q.query(`CREATE TABLE consent_access_log_default PARTITION OF consent_access_log DEFAULT`);
    await q.query(`
      CREATE FUNCTION gatehouse_access_log_partition(p_month date) RETURNS boolean
      LANGUAGE plpgsql AS $$
      DECLARE
        lo timestamptz := (date_trunc('month', p_month)::date)::timestamp AT TIME ZONE 'UTC';
        hi timestamptz := ((date_trunc('month', p_month) + interval '1 month')::date)::timestamp AT TIME ZONE 'UTC';
        part text := 'consent_access_log_' || to_char(p_month, 'YYYY_MM');
      BEGIN
        IF to_regclass(part) IS NOT NULL THEN
          RETURN false;
        END IF;
        IF EXISTS (SELECT 1 FROM consent_access_log_default WHERE occurred_at >= lo AND occurred_at < hi) THEN
          -- The default partition holds rows of this month: creating the partition over them would
          -- fail, so the month's rows move into a new table that is then attached.
          EXECUTE format('CREATE TABLE %I (LIKE consent_access_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
          EXECUTE format(
            'WITH moved AS (DELETE FROM consent_access_log_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
             INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
          EXECUTE format('ALTER TABLE consent_access_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        ELSE
          EXECUTE format('CREATE TABLE %I PARTITION OF consent_access_log FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        END IF;
        RETURN true;
      END $$`);
    await q.query(
      `SELECT gatehouse_access_log_partition((date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m))::date)
         FROM generate_series($1::int, $2::int) AS m`,
      [-MONTHS_BEHIND, MONTHS_AHEAD],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION gatehouse_access_log_partition(date)`);
    // Drops every partition with it.
    await q.query(`DROP TABLE consent_access_log`);
  }
}
