import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';
import {
  CURSOR_KINDS,
  CursorKind,
  MAX_CURSOR_LENGTH,
  PageQueryDto,
  decodeCursor,
  encodeCursor,
  toPage,
} from './pagination';

const TASKS: CursorKind = CURSOR_KINDS.reviewTasks;
/** As PostgreSQL writes it for a cursor: microseconds, UTC. */
const AT = '2026-11-28T10:00:00.000123Z';
const UUID = '6f1c1e9e-6c2b-4a43-9e0f-5f6d4f7a0b1c';
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The field errors decodeCursor throws, or undefined if it accepted the cursor. */
function refusal(raw: string, kind = TASKS) {
  try {
    decodeCursor(raw, kind);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailedError);
    return (e as ValidationFailedError).errors;
  }
  return undefined;
}

describe('cursor pagination', () => {
  it('round-trips a cursor of each list', () => {
    expect(decodeCursor(encodeCursor(TASKS, { at: AT, id: UUID }), TASKS)).toEqual({ at: AT, id: UUID });
    const audit = { id: '9007199254740993' };
    expect(decodeCursor(encodeCursor(CURSOR_KINDS.audit, audit), CURSOR_KINDS.audit)).toEqual(audit);
    expect(decodeCursor(undefined, TASKS)).toBeUndefined();
  });

  it('keeps the microseconds of the position, which tell apart rows of one millisecond', () => {
    for (const at of ['2026-03-01T10:00:00.000100Z', '2026-03-01T10:00:00.000999Z', '2199-12-31T23:59:59.999999Z']) {
      expect(decodeCursor(encodeCursor(TASKS, { at, id: UUID }), TASKS)).toEqual({ at, id: UUID });
    }
    const first = '2000-01-01T00:00:00.000000Z';
    expect(decodeCursor(b64(['review-tasks', first, UUID]), TASKS)?.at).toBe(first);
  });

  it('orders the audit log by id alone, so its cursor carries no time', () => {
    const audit = CURSOR_KINDS.audit;
    expect(JSON.parse(Buffer.from(encodeCursor(audit, { id: '42' }), 'base64url').toString())).toEqual(['audit', '42']);
    expect(refusal(b64(['audit', AT, '42']), audit)).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    expect(refusal(b64(['review-tasks', UUID]))).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('orders the sandbox transactions by day, so their cursor carries a real YYYY-MM-DD', () => {
    const kind = CURSOR_KINDS.sandboxTransactions;
    expect(decodeCursor(encodeCursor(kind, { at: '2028-02-29', id: UUID }), kind)).toEqual({
      at: '2028-02-29',
      id: UUID,
    });
    for (const at of ['2026-02-30', '1999-12-31', AT, '2026-03-01T00:00:00Z', "2026-03-01'--"]) {
      expect(refusal(b64(['sandbox-transactions', at, UUID]), kind)).toEqual([
        { field: 'cursor', message: expect.any(String) },
      ]);
    }
    expect(refusal(encodeCursor(TASKS, { at: AT, id: UUID }), kind)).toEqual([
      { field: 'cursor', message: expect.any(String) },
    ]);
  });

  it('issues cursors well within MAX_CURSOR_LENGTH', () => {
    const longest = encodeCursor(CURSOR_KINDS.webhookDeliveries, { at: '2199-12-31T23:59:59.999999Z', id: UUID });
    expect(longest.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH / 1.5);
  });

  it('refuses the issue example, base64 of ["x","y"], naming the cursor parameter', () => {
    const issued = expect.stringContaining('not a cursor this API issued');
    expect(refusal('WyJ4IiwieSJd')).toEqual([{ field: 'cursor', message: issued }]);
  });

  it.each([
    ['not base64', '%%%not-base64%%%'],
    ['base64 of non-JSON', b64('not-a-cursor')],
    ['an empty string', ''],
    ['overlong', 'A'.repeat(201)],
    ['a JSON object', b64({ at: AT, id: UUID })],
    ['the old two-element shape', b64([AT, UUID])],
    ['numbers instead of strings', b64(['review-tasks', 1, 2])],
    ['a date that does not exist', b64(['review-tasks', '2026-02-30T10:00:00.000000Z', UUID])],
    ['a time that does not exist', b64(['review-tasks', '2026-11-28T24:00:00.000000Z', UUID])],
    ['a date without time zone', b64(['review-tasks', '2026-11-28T10:00:00.000123', UUID])],
    ['a date with an offset', b64(['review-tasks', '2026-11-28T10:00:00.000123+00:00', UUID])],
    ['a date in milliseconds (loses rows of one millisecond)', b64(['review-tasks', '2026-11-28T10:00:00.000Z', UUID])],
    ['a date with seven fractional digits', b64(['review-tasks', '2026-11-28T10:00:00.0001234Z', UUID])],
    ['a date without fraction', b64(['review-tasks', '2026-11-28T10:00:00Z', UUID])],
    ['a date before 2000', b64(['review-tasks', '1999-12-31T23:59:59.999999Z', UUID])],
    ['a date out of range', b64(['review-tasks', '0001-01-01T00:00:00.000000Z', UUID])],
    ['a date from 2200', b64(['review-tasks', '2200-01-01T00:00:00.000000Z', UUID])],
    ['a far-future date', b64(['review-tasks', '+275760-09-13T00:00:00.000000Z', UUID])],
    ['SQL after the date', b64(['review-tasks', `${AT}'--`, UUID])],
    ['four elements', b64(['review-tasks', AT, UUID, UUID])],
    ['an id that is not a uuid', b64(['review-tasks', AT, 'y'])],
    ['SQL in the id', b64(['review-tasks', AT, "' OR 1=1 --"])],
    ['an upper-case uuid (never issued)', b64(['review-tasks', AT, UUID.toUpperCase()])],
  ])('refuses %s', (_, raw) => {
    expect(refusal(raw)).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('refuses bigint ids that PostgreSQL could not read', () => {
    const audit = CURSOR_KINDS.audit;
    for (const id of ['y', '-1', '0', '1.5', '9223372036854775808', '1'.repeat(30), UUID]) {
      expect(refusal(b64(['audit', id]), audit)).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
    expect(refusal(b64(['audit', '9223372036854775807']), audit)).toBeUndefined();
  });

  it('refuses a cursor of another list', () => {
    const outbox = encodeCursor(CURSOR_KINDS.adminEmails, { at: AT, id: UUID });
    expect(refusal(outbox)).toEqual([{ field: 'cursor', message: expect.stringContaining('another list') }]);
  });

  it('gives a next cursor only when there is another row', () => {
    const at = (n: number) => `2026-01-0${n}T00:00:00.000001Z`;
    const rows = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, at: at(n) }));
    const full = toPage(rows, 2, TASKS, (r) => r);
    expect(full.data).toHaveLength(2);
    expect(decodeCursor(full.nextCursor!, TASKS)).toEqual(rows[1]);
    expect(toPage(rows, 3, TASKS, (r) => r).nextCursor).toBeNull();
  });
});

describe('PageQueryDto', () => {
  const errorsOf = (query: Record<string, unknown>) =>
    validateSync(plainToInstance(PageQueryDto, query)).map((e) => e.property);

  it('accepts a limit written in digits from 1 to 200', () => {
    expect(errorsOf({ limit: '1' })).toEqual([]);
    expect(errorsOf({ limit: '200' })).toEqual([]);
    expect(plainToInstance(PageQueryDto, { limit: '25' }).limit).toBe(25);
  });

  it.each(['0', '201', '-1', 'abc', '1e2', '0x10', ' 5', '5.5', '', '99999999999'])('refuses limit=%j', (limit) => {
    expect(errorsOf({ limit })).toEqual(['limit']);
  });

  it('refuses a repeated limit or cursor', () => {
    expect(errorsOf({ limit: ['1', '2'] })).toEqual(['limit']);
    expect(errorsOf({ cursor: ['a', 'b'] })).toEqual(['cursor']);
  });
});
