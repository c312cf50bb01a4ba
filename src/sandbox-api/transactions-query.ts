import { FieldError, ValidationFailedError } from '../common/errors/domain-error';
import { CURSOR_KINDS, decodeCursor, encodeCursor } from '../common/pagination/pagination';

/** Page sizes of the transactions list. */
export const TRANSACTIONS_DEFAULT_LIMIT = 50;
export const TRANSACTIONS_MAX_LIMIT = 200;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Keyset position in an account's transactions, ordered by (bookingDate, id) descending. */
export interface TransactionsCursor {
  bookingDate: string;
  id: string;
}

/** `?from=&to=&limit=&cursor=` of GET /sandbox/v1/accounts/:accountId/transactions, checked. */
export interface TransactionsQuery {
  /** Inclusive `YYYY-MM-DD`, or null for "from the start". */
  from: string | null;
  /** Inclusive `YYYY-MM-DD`, or null for "until the end". */
  to: string | null;
  limit: number;
  cursor: TransactionsCursor | null;
}

/** A real calendar date written `YYYY-MM-DD` (round-trips through Date). */
export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The opaque `nextCursor` for a position: a cursor of the shared registry's `sandboxTransactions`
 * kind (src/common/pagination), `[list, bookingDate, id]` in base64url.
 */
export function encodeTransactionsCursor(c: TransactionsCursor): string {
  return encodeCursor(CURSOR_KINDS.sandboxTransactions, { at: c.bookingDate, id: c.id });
}

/** The cursor's position, or the field errors of a cursor this list did not issue. */
function readCursor(raw: string): TransactionsCursor | FieldError[] {
  try {
    const position = decodeCursor(raw, CURSOR_KINDS.sandboxTransactions)!;
    return { bookingDate: position.at, id: position.id };
  } catch (e) {
    if (e instanceof ValidationFailedError) return e.errors;
    throw e;
  }
}

/**
 * Checks the query of a transactions request by hand (every field error at once): dates are real
 * `YYYY-MM-DD` days with from ≤ to, `limit` is digits in 1..200, the cursor is one this list issued
 * (`decodeCursor` of the `sandboxTransactions` kind: a position, not tied to one account; on
 * another account it is only a place in that account's order, still filtered by the consent).
 * Repeated parameters are refused. Returns the query or the errors.
 */
export function parseTransactionsQuery(query: Record<string, unknown>): TransactionsQuery | FieldError[] {
  const errors: FieldError[] = [];
  const single = (field: string): string | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push({ field, message: `${field} must be given once, as text` });
      return undefined;
    }
    return value;
  };
  const date = (field: 'from' | 'to'): string | null => {
    const value = single(field);
    if (value === undefined) return null;
    if (!isCalendarDate(value)) {
      errors.push({
        field,
        message: `${field} must be a date written YYYY-MM-DD`,
      });
      return null;
    }
    return value;
  };
  const from = date('from');
  const to = date('to');
  if (from !== null && to !== null && from > to) errors.push({ field: 'to', message: 'to must not be before from' });
  let limit = TRANSACTIONS_DEFAULT_LIMIT;
  const rawLimit = single('limit');
  if (rawLimit !== undefined) {
    limit = /^[0-9]{1,6}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= TRANSACTIONS_MAX_LIMIT))
      errors.push({
        field: 'limit',
        message: `limit must be a whole number from 1 to ${TRANSACTIONS_MAX_LIMIT}`,
      });
  }
  let cursor: TransactionsCursor | null = null;
  const rawCursor = single('cursor');
  if (rawCursor !== undefined) {
    const read = readCursor(rawCursor);
    if (Array.isArray(read)) errors.push(...read);
    else cursor = read;
  }
  return errors.length > 0 ? errors : { from, to, limit, cursor };
}
