import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from '../errors/domain-error';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Longer than any cursor this API issues (the longest, of webhook deliveries, has 122 characters). */
export const MAX_CURSOR_LENGTH = 200;
const DIGITS = /^[0-9]{1,6}$/;
const digitsToNumber = (value: unknown) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value);

/**
 * `?limit=&cursor=` of every list route (SPEC: "Lists are cursor-paginated"). `limit` must be
 * written as plain digits: `Number()` would also read `1e2`, `0x10`, ` 5` or `[]`, which no client
 * means. The cursor's content is checked by `decodeCursor`, where the list it belongs to is known.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => digitsToNumber(value), { toClassOnly: true })
  @IsInt({ message: 'limit must be a whole number written in digits' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page of the same list' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset position of a list ordered by `(created_at, id)`: the last row's created_at exactly as
 * PostgreSQL stores it (microseconds, UTC: `2026-03-01T10:00:00.000100Z`, see CURSOR_AT_FORMAT) and
 * its id. A JavaScript Date keeps only milliseconds, so it cannot be the position: rows created
 * within one millisecond would straddle it and be skipped or shown twice. For a list ordered by a
 * calendar date (`order: 'date'`), `at` is the last row's date, `YYYY-MM-DD`.
 */
export interface Cursor {
  at: string;
  id: string;
}

/** Keyset position of a list ordered by its id alone: the last row's id. */
export interface IdCursor {
  id: string;
}

/**
 * What a list's cursors look like: the list's name (written into each cursor, so a cursor of one
 * list is refused by another), the type of its id column, and what the list is ordered by, newest
 * first: `created_at` then id (the cursor is a `Cursor`), a calendar date then id (`date`: a
 * `Cursor` whose `at` is `YYYY-MM-DD`), or the id alone (an `IdCursor`). A list ordered by another
 * time column then id (the consent access log's occurred_at) is a `created_at` kind too: the
 * cursor's shape is the same; it writes its keyset SQL with `cursorAtSql` itself.
 */
export interface CursorKind {
  list: string;
  id: 'uuid' | 'bigint';
  order: 'created_at' | 'date' | 'id';
}

/** The position type of a kind: `IdCursor` for lists ordered by id, `Cursor` otherwise. */
export type CursorOf<K extends CursorKind> = K extends { order: 'id' } ? IdCursor : Cursor;

/**
 * Every cursor-paginated list. A new list adds its kind here and to the e2e sweeps in
 * test/pagination.e2e-spec.ts. The audit log is ordered by its bigint id (the order of the hash
 * chain, which need not be the order of created_at), so its cursor carries no time.
 */
export const CURSOR_KINDS = {
  reviewTasks: { list: 'review-tasks', id: 'uuid', order: 'created_at' },
  audit: { list: 'audit', id: 'bigint', order: 'id' },
  adminEmails: { list: 'admin-emails', id: 'uuid', order: 'created_at' },
  apps: { list: 'apps', id: 'uuid', order: 'created_at' },
  webhookDeliveries: { list: 'webhook-deliveries', id: 'uuid', order: 'created_at' },
  customerConsents: { list: 'customer-consents', id: 'uuid', order: 'created_at' },
  customerApps: { list: 'customer-apps', id: 'uuid', order: 'id' },
  appConsents: { list: 'app-consents', id: 'uuid', order: 'created_at' },
  // Ordered by occurred_at then id: a time-then-id cursor, like the created_at lists.
  consentAccessLog: { list: 'consent-access-log', id: 'bigint', order: 'created_at' },
  // A sandbox account's transactions, by booking date then id (the data API's transactions list).
  sandboxTransactions: { list: 'sandbox-transactions', id: 'uuid', order: 'date' },
} as const satisfies Record<string, CursorKind>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** PostgreSQL bigint, positive: ids of bigserial columns start at 1. */
const BIGINT = /^[1-9][0-9]{0,18}$/;
const BIGINT_MAX = 9223372036854775807n;
/**
 * The PostgreSQL `to_char` pattern of a cursor's `at`: ISO 8601 UTC with exactly six fractional
 * digits, the full precision of timestamptz. Rows carry it because `cursorAtSql` selects it.
 */
export const CURSOR_AT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
/** What CURSOR_AT_FORMAT writes for years 2000–2199: the millisecond part, then the microseconds. */
const AT_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/;
/** No row of Gatehouse predates this, and none is written this far ahead. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The column alias under which `keysetPage` selects each row's cursor time. */
const CURSOR_AT_ALIAS = 'cursor_at';

/** SQL for a timestamptz column (`t.created_at`) as a cursor's `at` (CURSOR_AT_FORMAT, UTC). */
export function cursorAtSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', '${CURSOR_AT_FORMAT}')`;
}

/** A cursor: base64url of the JSON array `[list, at, id]`, or `[list, id]` for lists ordered by id. */
export function encodeCursor<K extends CursorKind>(kind: K, cursor: CursorOf<K>): string {
  const fields = kind.order === 'id' ? [kind.list, cursor.id] : [kind.list, (cursor as Cursor).at, cursor.id];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

function badCursor(message: string): ValidationFailedError {
  return new ValidationFailedError([{ field: 'cursor', message }]);
}

/** True if `at` is CURSOR_AT_FORMAT of an instant that exists (not 2026-02-30) from 2000 to 2199. */
function isCursorTime(at: string): boolean {
  const millis = AT_MICROS.exec(at)?.[1];
  if (millis === undefined) return false;
  const time = Date.parse(`${millis}Z`);
  // The round trip refuses dates that parse but do not exist as written.
  return time >= EARLIEST && time < LATEST && new Date(time).toISOString() === `${millis}Z`;
}

/** True if `at` is a `YYYY-MM-DD` day that exists (not 2026-02-30), from 2000 to 2199. */
function isCursorDate(at: string): boolean {
  if (!CALENDAR_DATE.test(at)) return false;
  const time = Date.parse(`${at}T00:00:00Z`);
  return time >= EARLIEST && time < LATEST && new Date(time).toISOString().slice(0, 10) === at;
}

/**
 * The one way a list reads `?cursor=`. Undefined for no cursor (the first page); otherwise the
 * cursor if it is one `encodeCursor` issued for this list: base64url, at most MAX_CURSOR_LENGTH
 * characters, of `[list, at, id]` (`at` in CURSOR_AT_FORMAT, a real instant from 2000 to 2199; for
 * a list ordered by date, a real `YYYY-MM-DD` day in those years) or, for a list ordered by id,
 * `[list, id]`; `id` of the list's id type. Anything else throws
 * ValidationFailedError naming `cursor` (400 problem+json), before a tampered value can reach a
 * SQL cast and fail there as a 500.
 */
export function decodeCursor<K extends CursorKind>(raw: string | undefined, kind: K): CursorOf<K> | undefined {
  if (raw === undefined) return undefined;
  const notIssued = 'cursor is not a cursor this API issued; use the nextCursor of the previous page';
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !BASE64URL.test(raw)) throw badCursor(notIssued);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor(notIssued);
  }
  const fields = kind.order === 'id' ? 2 : 3;
  const shaped = Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === 'string');
  if (!shaped) throw badCursor(notIssued);
  const parts = value as string[];
  if (parts[0] !== kind.list) {
    const ofAnotherList = Object.values(CURSOR_KINDS).some((k) => k.list === parts[0]);
    throw badCursor(ofAnotherList ? 'cursor belongs to another list; use the nextCursor of this list' : notIssued);
  }
  if (parts.length !== fields) throw badCursor(notIssued);
  const id = parts[fields - 1]!;
  const idOk = kind.id === 'uuid' ? UUID.test(id) : BIGINT.test(id) && BigInt(id) <= BIGINT_MAX;
  if (!idOk) throw badCursor(notIssued);
  if (kind.order === 'id') return { id } as CursorOf<K>;
  const at = parts[1]!;
  if (!(kind.order === 'date' ? isCursorDate(at) : isCursorTime(at))) throw badCursor(notIssued);
  return { at, id } as CursorOf<K>;
}

/**
 * Turns `limit + 1` rows fetched in keyset order into a page; the extra row only says whether
 * there is a next page.
 */
export function toPage<T, K extends CursorKind>(
  rows: T[],
  limit: number,
  kind: K,
  cursorOf: (row: T) => CursorOf<K>,
): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(kind, cursorOf(last)) : null;
  return { data, nextCursor };
}

/**
 * One page of a list ordered by `created_at DESC, id DESC`, the mechanism every such list uses:
 * reads `query.cursor` (decodeCursor: a bad one throws ValidationFailedError, 400), adds the order,
 * the limit and the index-friendly row comparison `(created_at, id) < (at, id)` to `qb` (whose
 * main alias must name a table with `created_at timestamptz` and `id` columns), and selects each
 * row's exact created_at alongside it for the next cursor. `qb` may carry the list's own filters.
 */
export async function keysetPage<E extends { id: string }, K extends CursorKind & { order: 'created_at' }>(
  qb: SelectQueryBuilder<E>,
  kind: K,
  query: { limit: number; cursor?: string },
): Promise<Page<E>> {
  const after = decodeCursor(query.cursor, kind) as Cursor | undefined;
  const a = qb.alias;
  qb.addSelect(cursorAtSql(`${a}.created_at`), CURSOR_AT_ALIAS)
    .orderBy(`${a}.created_at`, 'DESC')
    .addOrderBy(`${a}.id`, 'DESC')
    .limit(query.limit + 1);
  if (after) {
    const position = `(:cursorAt::timestamptz, :cursorId::${kind.id})`;
    qb.andWhere(`(${a}.created_at, ${a}.id) < ${position}`, { cursorAt: after.at, cursorId: after.id });
  }
  const { entities, raw } = await qb.getRawAndEntities<Record<string, unknown>>();
  const atOf = new Map(raw.map((r) => [String(r[`${a}_id`]), String(r[CURSOR_AT_ALIAS])]));
  return toPage(entities, query.limit, kind, (e) => {
    const at = atOf.get(e.id);
    if (at === undefined) throw new Error(`keysetPage found no ${CURSOR_AT_ALIAS} for a row of ${kind.list}`);
    return { at, id: e.id } as CursorOf<K>;
  });
}

export function pageSize(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_PAGE_SIZE;
}
