import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Longer than any cursor this API issues (the longest is about 110 characters). */
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
  @IsOptional() @IsString()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Keyset position: the sort value (an ISO 8601 UTC timestamp) and the id of the last row of a page. */
export interface Cursor {
  at: string;
  id: string;
}

/**
 * What a list's cursors look like: the list's name (written into each cursor, so a cursor of one
 * list is refused by another) and the type of its id column.
 */
export interface CursorKind {
  list: string;
  id: 'uuid' | 'bigint';
}

/**
 * Every cursor-paginated list. A new list adds its kind here and to the e2e sweep in
 * test/pagination.e2e-spec.ts.
 */
export const CURSOR_KINDS = {
  reviewTasks: { list: 'review-tasks', id: 'uuid' },
  audit: { list: 'audit', id: 'bigint' },
  adminEmails: { list: 'admin-emails', id: 'uuid' },
  apps: { list: 'apps', id: 'uuid' },
  webhookDeliveries: { list: 'webhook-deliveries', id: 'uuid' },
} as const satisfies Record<string, CursorKind>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** PostgreSQL bigint, positive: ids of bigserial columns start at 1. */
const BIGINT = /^[1-9][0-9]{0,18}$/;
const BIGINT_MAX = 9223372036854775807n;
/** Exactly what `Date.prototype.toISOString()` writes, which is what `toPage` puts in a cursor. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** No row of Gatehouse predates this, and none is written this far ahead. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A cursor: base64url of the JSON array `[list, at, id]`. */
export function encodeCursor(kind: CursorKind, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([kind.list, cursor.at, cursor.id])).toString('base64url');
}

function badCursor(message: string): ValidationFailedError {
  return new ValidationFailedError([{ field: 'cursor', message }]);
}

/**
 * The one way a list reads `?cursor=`. Undefined for no cursor (the first page); otherwise the
 * cursor if it is one `encodeCursor` issued for this list: base64url of `[list, at, id]` with at
 * most MAX_CURSOR_LENGTH characters, `at` a real ISO 8601 UTC instant between 2000 and 2200, `id`
 * of the list's id type. Anything else throws ValidationFailedError naming `cursor` (400
 * problem+json), before a tampered value can reach a SQL cast and fail there as a 500.
 */
export function decodeCursor(raw: string | undefined, kind: CursorKind): Cursor | undefined {
  if (raw === undefined) return undefined;
  const notIssued = 'cursor is not a cursor this API issued; use the nextCursor of the previous page';
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !BASE64URL.test(raw)) throw badCursor(notIssued);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor(notIssued);
  }
  const shaped = Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string');
  if (!shaped) throw badCursor(notIssued);
  const [list, at, id] = value as [string, string, string];
  if (list !== kind.list) throw badCursor('cursor belongs to another list; use the nextCursor of this list');
  const time = ISO_UTC.test(at) ? Date.parse(at) : NaN;
  // The round trip refuses dates that parse but do not exist as written (2026-02-30).
  if (!(time >= EARLIEST && time < LATEST) || new Date(time).toISOString() !== at) throw badCursor(notIssued);
  const idOk = kind.id === 'uuid' ? UUID.test(id) : BIGINT.test(id) && BigInt(id) <= BIGINT_MAX;
  if (!idOk) throw badCursor(notIssued);
  return { at, id };
}

/**
 * Turns `limit + 1` rows fetched in keyset order into a page; the extra row only says whether
 * there is a next page.
 */
export function toPage<T>(rows: T[], limit: number, kind: CursorKind, cursorOf: (row: T) => Cursor): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(kind, cursorOf(last)) : null;
  return { data, nextCursor };
}

export function pageSize(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_PAGE_SIZE;
}
