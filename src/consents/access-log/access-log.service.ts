import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { CURSOR_KINDS, Cursor, Page, cursorAtSql, decodeCursor, toPage } from '../../common/pagination/pagination';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { DAY_MS } from '../consent';

/** One entry of a consent's access log as its customer sees it. Times ISO 8601 UTC, dates YYYY-MM-DD. */
export interface AccessLogEntryView {
  at: string;
  endpoint: string;
  accountIds: string[];
  dateRange: { from: string | null; to: string | null } | null;
  records: number;
  requestId: string | null;
}

/** What one run of the partition maintenance did: partition names created and dropped. */
export interface PartitionMaintenance {
  created: string[];
  dropped: string[];
  /** Rows older than the retention deleted from the DEFAULT partition (normally none). */
  purgedFromDefault: number;
}

/** Months ahead of the current one whose partitions the maintenance keeps in place. */
export const ACCESS_LOG_MONTHS_AHEAD = 3;
/** Advisory lock key of the maintenance: two workers running it at once take turns. */
const MAINTENANCE_LOCK_KEY = 'gatehouse:consent-access-log:partitions';
const PARTITION = /^consent_access_log_(\d{4})_(\d{2})$/;
/**
 * How far before the consent's creation the read still looks: the log's times come from the API
 * process's clock, the consent's from PostgreSQL's, and a small skew must not hide a row.
 */
const CLOCK_SKEW_MARGIN = '1 day';

interface LogRow {
  id: string;
  cursor_at: string;
  at: Date;
  endpoint: string;
  account_ids: string[];
  date_from: string | null;
  date_to: string | null;
  records: number;
  request_id: string | null;
}

/**
 * Reads of the consent access log and the upkeep of its monthly partitions (the table is
 * migrations/1764293400000-CreateAccessLog.ts; rows are written by AccessLogWriter).
 */
@Injectable()
export class AccessLogService {
  private readonly logger = new Logger(AccessLogService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The access log of one of the customer's consents, newest first (occurred_at, then id), in
   * cursor pages. 404 when the consent is not theirs; a bad cursor is ValidationFailedError (400).
   * The read is bounded below by the consent's creation (a day's margin for clock skew) and above by
   * the cursor, so PostgreSQL skips the months outside them and reads the index of the others.
   */
  async listForCustomer(
    customerId: string,
    consentId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<AccessLogEntryView>> {
    const after = decodeCursor(query.cursor, CURSOR_KINDS.consentAccessLog);
    const [consent] = (await this.dataSource.query(
      `SELECT created_at FROM consents WHERE id = $1 AND customer_id = $2`,
      [consentId, customerId],
    )) as { created_at: Date }[];
    if (!consent) throw new NotFoundError('Consent');
    const page = accessLogPageQuery(consentId, consent.created_at, query.limit + 1, after);
    const rows = (await this.dataSource.query(page.sql, page.params)) as LogRow[];
    const found = toPage(rows, query.limit, CURSOR_KINDS.consentAccessLog, (r) => ({
      at: r.cursor_at,
      id: String(r.id),
    }));
    return { data: found.data.map(viewOf), nextCursor: found.nextCursor };
  }

  /**
   * Keeps the monthly partitions (worker job, idempotent, safe with several workers: they take
   * turns on an advisory lock). Creates the partitions of this month and the next
   * ACCESS_LOG_MONTHS_AHEAD months, and of any month within the retention that has rows in the
   * DEFAULT partition (moving them in). Drops every monthly partition whose whole month ended more
   * than `config.consents.accessLogRetentionDays` ago (rows live between the retention and a month
   * longer), and deletes rows that old from DEFAULT, the one place DELETE is used: it only holds
   * strays. Month boundaries are UTC. `now` defaults to the process clock.
   */
  async maintainPartitions(now = new Date()): Promise<PartitionMaintenance> {
    const cutoff = new Date(now.getTime() - this.config.consents.accessLogRetentionDays * DAY_MS);
    const done = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [MAINTENANCE_LOCK_KEY]);
      // DROP and CREATE … PARTITION OF lock the parent table: never queue the data API behind us for long.
      await m.query(`SET LOCAL lock_timeout = '5s'`);
      const months = (await m.query(
        `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM (
           SELECT date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') + make_interval(months => n) AS month
             FROM generate_series(0, $2::int) AS n
           UNION
           SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')
             FROM consent_access_log_default WHERE occurred_at >= $3::timestamptz
         ) months ORDER BY month`,
        [now.toISOString(), ACCESS_LOG_MONTHS_AHEAD, cutoff.toISOString()],
      )) as { month: string }[];
      const created: string[] = [];
      for (const { month } of months) {
        const [r] = (await m.query(`SELECT gatehouse_access_log_partition($1::date) AS created`, [month])) as {
          created: boolean;
        }[];
        if (r!.created) created.push(partitionName(month));
      }
      const partitions = (await m.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'consent_access_log'::regclass ORDER BY c.relname`,
      )) as { relname: string }[];
      const dropped: string[] = [];
      for (const { relname } of partitions) {
        const match = PARTITION.exec(relname);
        if (!match) continue;
        const monthEnd = Date.UTC(Number(match[1]), Number(match[2]), 1);
        if (monthEnd > cutoff.getTime()) continue;
        await m.query(`DROP TABLE ${quoteIdent(relname)}`);
        dropped.push(relname);
      }
      const purged = (await m.query(`DELETE FROM consent_access_log_default WHERE occurred_at < $1`, [
        cutoff.toISOString(),
      ])) as [unknown[], number];
      return { created, dropped, purgedFromDefault: purged[1] };
    });
    if (done.created.length + done.dropped.length + done.purgedFromDefault > 0) {
      this.logger.log(
        `access log partitions: created ${done.created.join(', ') || 'none'}; dropped ${
          done.dropped.join(', ') || 'none'
        }; ${done.purgedFromDefault} stray rows past retention deleted`,
      );
    }
    return done;
  }
}

/**
 * The SQL of one page of a consent's log: `limit` rows newest first after the cursor position
 * `after`, no earlier than a day before `createdAt` (the consent's creation). Exported so a test
 * can EXPLAIN exactly what the API runs: the index (consent_id, occurred_at DESC, id DESC) of each
 * month, and only the months between the two bounds.
 */
export function accessLogPageQuery(
  consentId: string,
  createdAt: Date,
  limit: number,
  after?: Cursor,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [consentId, limit, createdAt];
  let below = '';
  if (after) {
    // The plain bound lets PostgreSQL skip later months; the row comparison is the keyset.
    params.push(after.at, after.id);
    below = `AND occurred_at <= $4::timestamptz AND (occurred_at, id) < ($4::timestamptz, $5::bigint)`;
  }
  const sql = `
    SELECT id, ${cursorAtSql('occurred_at')} AS cursor_at, occurred_at AS at, endpoint, account_ids,
           to_char(date_from, 'YYYY-MM-DD') AS date_from, to_char(date_to, 'YYYY-MM-DD') AS date_to,
           records, request_id
      FROM consent_access_log
     WHERE consent_id = $1 AND occurred_at >= $3::timestamptz - interval '${CLOCK_SKEW_MARGIN}' ${below}
     ORDER BY occurred_at DESC, id DESC
     LIMIT $2`;
  return { sql, params };
}

/** `consent_access_log_YYYY_MM` of a month's first day (`YYYY-MM-DD`): the name the migration's function gives. */
export function partitionName(month: string): string {
  return `consent_access_log_${month.slice(0, 4)}_${month.slice(5, 7)}`;
}

/** The names come from pg_class and match PARTITION; quoted all the same. */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function viewOf(r: LogRow): AccessLogEntryView {
  const ranged = r.date_from !== null || r.date_to !== null;
  return {
    at: r.at.toISOString(),
    endpoint: r.endpoint,
    accountIds: r.account_ids,
    dateRange: ranged ? { from: r.date_from, to: r.date_to } : null,
    records: r.records,
    requestId: r.request_id,
  };
}
