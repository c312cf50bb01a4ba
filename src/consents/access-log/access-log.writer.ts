import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** One read an app made through Gatehouse under a consent (SPEC "Customer consents", Access log). */
export interface AccessLogEntry {
  consentId: string;
  /** The data API route answered, e.g. `GET /v1/accounts/:accountId/transactions`. */
  endpoint: string;
  /** The accounts whose data the answer carried. */
  accountIds: readonly string[];
  /** Transaction date range asked for (ISO dates `YYYY-MM-DD`), when the endpoint takes one. */
  dateRange?: { from: string | null; to: string | null } | null;
  /** Records in the answer. */
  records: number;
  requestId?: string | null;
  /** When the read happened; defaults to the moment `record` is called. */
  at?: Date;
}

/** What the writer has done since the process started, for metrics and the benchmark. */
export interface AccessLogWriterStats {
  /** Rows committed to consent_access_log. */
  written: number;
  /** INSERT statements that wrote them. */
  batches: number;
  /** Rows accepted and not yet committed (buffered or in the INSERT under way). */
  pending: number;
  /** Rows refused because the buffer was full (PostgreSQL unreachable for a long while). */
  dropped: number;
  /** INSERTs that failed (their rows were kept and retried). */
  failedFlushes: number;
  /** `UPDATE consents … last_used_at` statements run, and consents they updated. */
  touchUpdates: number;
  touchedConsents: number;
  /** Consents whose latest use waits to be written (coalesced to one write a minute). */
  pendingTouches: number;
}

interface Row {
  consentId: string;
  /** Epoch milliseconds: converted in PostgreSQL, not per row on the request path. */
  at: number;
  endpoint: string;
  accountIds: string;
  dateFrom: string | null;
  dateTo: string | null;
  records: number;
  requestId: string | null;
}

/** Tuning of the writer. Exported for the tests and the benchmark; the defaults are the product's. */
export const ACCESS_LOG_WRITER = {
  /** A flush runs at least this often while rows wait (ms). */
  flushEveryMs: 200,
  /** This many waiting rows start a flush at once instead of at the next tick. */
  flushAtRows: 1_000,
  /** Rows per INSERT at most. */
  maxBatchRows: 5_000,
  /** Rows held at most (buffer + INSERT under way); past this, rows are dropped and counted. */
  maxPendingRows: 100_000,
  /** Back-off after a failed flush: doubles from `retryFromMs` up to `retryUpToMs`. */
  retryFromMs: 200,
  retryUpToMs: 10_000,
  /** One `last_used_at` write per consent per this many ms at most. */
  touchEveryMs: 60_000,
  /** Flush attempts at shutdown before the rows left are reported lost. */
  shutdownAttempts: 5,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DROP_WARN_EVERY_MS = 10_000;

/** PostgreSQL refuses NUL in text; one such row would fail every INSERT of its batch forever. */
function text(value: string, field: string): string {
  if (typeof value !== 'string' || value.includes('\u0000')) throw new TypeError(`access log: ${field} is not text`);
  return value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date `YYYY-MM-DD` (years 0001–9999), checked without building a Date (this runs per read). */
function isoDate(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const bad = () => new TypeError(`access log: ${field} is not a YYYY-MM-DD date`);
  if (typeof value !== 'string' || !ISO_DATE.test(value)) throw bad();
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (year < 1 || days === undefined || day < 1 || day > days) throw bad();
  return value;
}

/**
 * Checks an entry and turns it into a row. Anything PostgreSQL would refuse is refused here, with a
 * TypeError (a programming error of the caller): a row the INSERT cannot take would otherwise fail
 * its whole batch on every retry.
 */
function rowOf(e: AccessLogEntry): Row {
  if (typeof e.consentId !== 'string' || !UUID.test(e.consentId))
    throw new TypeError('access log: consentId is not a uuid');
  if (!Number.isInteger(e.records) || e.records < 0 || e.records > 2_147_483_647)
    throw new TypeError('access log: records is not a count');
  const at = e.at === undefined ? Date.now() : e.at instanceof Date ? e.at.getTime() : NaN;
  if (Number.isNaN(at)) throw new TypeError('access log: at is not a time');
  if (!Array.isArray(e.accountIds)) throw new TypeError('access log: accountIds is not a list');
  return {
    consentId: e.consentId,
    at,
    endpoint: text(e.endpoint, 'endpoint'),
    accountIds: JSON.stringify(e.accountIds.map((a) => text(a, 'accountIds'))),
    dateFrom: isoDate(e.dateRange?.from, 'dateRange.from'),
    dateTo: isoDate(e.dateRange?.to, 'dateRange.to'),
    records: e.records,
    requestId: e.requestId === null || e.requestId === undefined ? null : text(e.requestId, 'requestId'),
  };
}

const INSERT_SQL = `
  INSERT INTO consent_access_log (consent_id, occurred_at, endpoint, account_ids, date_from, date_to, records, request_id)
  SELECT u.consent_id, timestamptz 'epoch' + u.at_ms * interval '1 millisecond', u.endpoint, ARRAY(SELECT jsonb_array_elements_text(u.account_ids)),
         u.date_from, u.date_to, u.records, u.request_id
    FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::jsonb[], $5::date[], $6::date[], $7::int[], $8::text[])
      AS u(consent_id, at_ms, endpoint, account_ids, date_from, date_to, records, request_id)`;

// Locks the consents in id order first, so two processes touching overlapping sets cannot deadlock.
const TOUCH_SQL = `
  WITH u AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)),
       locked AS (SELECT c.id FROM consents c JOIN u ON u.id = c.id ORDER BY c.id FOR UPDATE OF c)
  UPDATE consents c SET last_used_at = GREATEST(c.last_used_at, u.at)
    FROM u, locked WHERE c.id = u.id AND locked.id = c.id`;

/**
 * Writes the consent access log off the request path. `record` only checks the entry and appends
 * it to an in-memory buffer; a flush every ACCESS_LOG_WRITER.flushEveryMs (or as soon as
 * `flushAtRows` wait) writes up to `maxBatchRows` rows in ONE multi-row INSERT over unnest().
 *
 * Failures: a failed INSERT keeps its rows at the head of the buffer and is retried with doubling
 * back-off; while PostgreSQL stays away the buffer is bounded (`maxPendingRows`) and rows past it
 * are dropped and counted (`stats().dropped`, logged as a count only: entries carry personal data).
 * Delivery is at least once: an INSERT whose commit was lost with its connection is written again.
 *
 * Shutdown: `onApplicationShutdown` writes every row and pending touch (a few attempts; what still
 * fails is reported as a count). Nothing recorded before a clean shutdown is lost.
 *
 * Also coalesces the consents' `last_used_at`: `touch` (and every `record`) notes the latest use per
 * consent, and one `UPDATE … FROM unnest` writes the due ones, at most once per consent per
 * `touchEveryMs` (a minute), never moving last_used_at backwards.
 */
@Injectable()
export class AccessLogWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccessLogWriter.name);
  private pending: Row[] = [];
  private inFlight = 0;
  /** The flush under way, if any: one at a time, so touches and batches never race. */
  private busy: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private kickScheduled = false;
  private failures = 0;
  private retryAt = 0;
  private lastDropWarning = 0;
  private droppedSinceWarning = 0;
  /** consent id → latest use not yet written (epoch ms). */
  private readonly touches = new Map<string, number>();
  /** consent id → when its last_used_at was last written (process clock, epoch ms). */
  private readonly touchedAt = new Map<string, number>();
  private counts = { written: 0, batches: 0, dropped: 0, failedFlushes: 0, touchUpdates: 0, touchedConsents: 0 };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The pg Pool under TypeORM's DataSource (same connections and settings). Queried directly because
   * TypeORM logs a failed query with its parameters, and these are customers' account ids.
   */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), ACCESS_LOG_WRITER.flushEveryMs);
    this.timer.unref();
  }

  /**
   * Logs one read under a consent: synchronous, no I/O. Throws TypeError for an entry PostgreSQL
   * could not store (a consent id that is not a uuid, a negative count, a date that does not
   * exist, text with NUL). Also counts as a use of the consent (`touch`).
   */
  record(entry: AccessLogEntry): void {
    const row = rowOf(entry);
    this.touchAt(row.consentId, row.at);
    if (this.pending.length + this.inFlight >= ACCESS_LOG_WRITER.maxPendingRows) {
      this.drop();
      return;
    }
    this.pending.push(row);
    if (this.pending.length >= ACCESS_LOG_WRITER.flushAtRows) this.kickSoon();
  }

  /** Notes that `consentId` was used at `at`; its last_used_at is written within the minute rule. */
  touch(consentId: string, at: Date = new Date()): void {
    if (!UUID.test(consentId)) throw new TypeError('access log: consentId is not a uuid');
    const time = at.getTime();
    if (Number.isNaN(time)) throw new TypeError('access log: at is not a time');
    this.touchAt(consentId, time);
  }

  private touchAt(consentId: string, time: number): void {
    if (time > (this.touches.get(consentId) ?? -Infinity)) this.touches.set(consentId, time);
  }

  /** Counters since the process started. */
  stats(): AccessLogWriterStats {
    return {
      ...this.counts,
      pending: this.pending.length + this.inFlight,
      pendingTouches: this.touches.size,
    };
  }

  /**
   * The periodic flush, now: one INSERT of waiting rows and the touches due under the minute rule.
   * Rejects if a write fails (rows kept, back-off started). For tests and the benchmark.
   */
  async flush(): Promise<void> {
    while (this.busy) await this.busy;
    await this.run(async () => {
      await this.insertBatch();
      await this.writeTouches(false);
    });
  }

  /**
   * Writes everything waiting now: rows and every pending touch (the minute rule aside). Resolves
   * when done; rejects if a write fails (its rows are kept). For shutdown, tests and the benchmark.
   */
  async flushAll(): Promise<void> {
    while (this.busy) await this.busy;
    await this.run(async () => {
      while (this.pending.length > 0) await this.insertBatch();
      await this.writeTouches(true);
    });
  }

  /**
   * The final flush. Nest calls this after the HTTP server has closed (no request can record any
   * more) and before TypeORM's global module closes the DataSource: shutdown hooks run in reverse
   * module distance, and global modules sit at the largest one.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.dataSource.isInitialized) {
      this.logger.error(`access log: the database closed first; ${this.stats().pending} rows unwritten`);
      return;
    }
    await this.drain();
  }

  /** Flushes with a few attempts; what cannot be written is reported (as a count) and given up. */
  private async drain(): Promise<void> {
    let delay = ACCESS_LOG_WRITER.retryFromMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flushAll();
        return;
      } catch (e) {
        if (attempt >= ACCESS_LOG_WRITER.shutdownAttempts) {
          this.logger.error(`access log: shutting down with ${this.stats().pending} rows unwritten (${describe(e)})`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, ACCESS_LOG_WRITER.retryUpToMs);
      }
    }
  }

  /** A tick on the next turn of the event loop, asked for at most once at a time. */
  private kickSoon(): void {
    if (this.kickScheduled || this.busy) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.kick();
    });
  }

  /** A tick: one INSERT and the due touches, unless a flush runs or the back-off is not over. */
  private kick(): void {
    if (this.busy || Date.now() < this.retryAt) return;
    if (this.pending.length === 0 && !this.touchesDue()) return;
    this.run(async () => {
      await this.insertBatch();
      await this.writeTouches(false);
    })
      .catch(() => undefined) // counted, logged and backed off in run(); retried at a later tick
      .finally(() => {
        if (this.pending.length >= ACCESS_LOG_WRITER.flushAtRows) this.kickSoon();
      });
  }

  /** Runs `work` as the one flush under way; a failure starts the back-off and rejects. */
  private run(work: () => Promise<void>): Promise<void> {
    const run = work().then(
      () => {
        this.failures = 0;
        this.retryAt = 0;
      },
      (e: unknown) => {
        this.failures += 1;
        const backoff = Math.min(
          ACCESS_LOG_WRITER.retryFromMs * 2 ** (this.failures - 1),
          ACCESS_LOG_WRITER.retryUpToMs,
        );
        this.retryAt = Date.now() + backoff;
        this.logger.warn(`access log: a flush failed (${describe(e)}); retrying in ${backoff} ms`);
        throw e;
      },
    );
    this.busy = run
      .catch(() => undefined)
      .finally(() => {
        this.busy = null;
      });
    return run;
  }

  /** One INSERT of up to maxBatchRows rows; on failure the rows go back to the head of the buffer. */
  private async insertBatch(): Promise<void> {
    const batch = this.pending.splice(0, ACCESS_LOG_WRITER.maxBatchRows);
    if (batch.length === 0) return;
    this.inFlight = batch.length;
    try {
      await this.pool.query(INSERT_SQL, [
        batch.map((r) => r.consentId),
        batch.map((r) => r.at),
        batch.map((r) => r.endpoint),
        batch.map((r) => r.accountIds),
        batch.map((r) => r.dateFrom),
        batch.map((r) => r.dateTo),
        batch.map((r) => r.records),
        batch.map((r) => r.requestId),
      ]);
      this.counts.written += batch.length;
      this.counts.batches += 1;
    } catch (e) {
      this.pending = batch.concat(this.pending);
      this.counts.failedFlushes += 1;
      throw e;
    } finally {
      this.inFlight = 0;
    }
  }

  private touchesDue(): boolean {
    const cutoff = Date.now() - ACCESS_LOG_WRITER.touchEveryMs;
    for (const id of this.touches.keys()) if ((this.touchedAt.get(id) ?? -Infinity) <= cutoff) return true;
    return false;
  }

  /** One UPDATE of every consent whose last write is a minute old (all of them when `all`). */
  private async writeTouches(all: boolean): Promise<void> {
    const now = Date.now();
    const cutoff = now - ACCESS_LOG_WRITER.touchEveryMs;
    for (const [id, at] of this.touchedAt) if (at <= cutoff) this.touchedAt.delete(id);
    const due = [...this.touches].filter(([id]) => all || !this.touchedAt.has(id));
    if (due.length === 0) return;
    await this.pool.query(TOUCH_SQL, [due.map(([id]) => id), due.map(([, at]) => new Date(at).toISOString())]);
    this.counts.touchUpdates += 1;
    this.counts.touchedConsents += due.length;
    for (const [id, at] of due) {
      this.touchedAt.set(id, now);
      // A use noted while the UPDATE ran stays pending for the next minute.
      if (this.touches.get(id) === at) this.touches.delete(id);
    }
  }

  private drop(): void {
    this.counts.dropped += 1;
    this.droppedSinceWarning += 1;
    const now = Date.now();
    if (now - this.lastDropWarning < DROP_WARN_EVERY_MS) return;
    this.logger.error(
      `access log: buffer full (${ACCESS_LOG_WRITER.maxPendingRows} rows); dropped ${this.droppedSinceWarning} rows`,
    );
    this.lastDropWarning = now;
    this.droppedSinceWarning = 0;
  }
}

/** An error without the values it may quote: the SQLSTATE and constraint, or the error's class. */
function describe(e: unknown): string {
  const pg = e as { code?: string; constraint?: string; name?: string };
  if (pg.code) return `SQLSTATE ${pg.code}${pg.constraint ? ` on ${pg.constraint}` : ''}`;
  return pg.name ?? 'unknown error';
}
