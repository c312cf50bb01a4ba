import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-error';
import { CURSOR_KINDS, CursorKind, PageQueryDto, decodeCursor, encodeCursor, toPage } from './pagination';

const TASKS: CursorKind = CURSOR_KINDS.reviewTasks;
const AT = '2026-11-28T10:00:00.000Z';
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
    const audit = { at: AT, id: '9007199254740993' };
    expect(decodeCursor(encodeCursor(CURSOR_KINDS.audit, audit), CURSOR_KINDS.audit)).toEqual(audit);
    expect(decodeCursor(undefined, TASKS)).toBeUndefined();
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
    ['a date that does not exist', b64(['review-tasks', '2026-02-30T10:00:00.000Z', UUID])],
    ['a date without time zone', b64(['review-tasks', '2026-11-28T10:00:00', UUID])],
    ['a date out of range', b64(['review-tasks', '0001-01-01T00:00:00.000Z', UUID])],
    ['a far-future date', b64(['review-tasks', '+275760-09-13T00:00:00.000Z', UUID])],
    ['an id that is not a uuid', b64(['review-tasks', AT, 'y'])],
    ['SQL in the id', b64(['review-tasks', AT, "' OR 1=1 --"])],
    ['an upper-case uuid (never issued)', b64(['review-tasks', AT, UUID.toUpperCase()])],
  ])('refuses %s', (_, raw) => {
    expect(refusal(raw)).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('refuses bigint ids that PostgreSQL could not read', () => {
    const audit = CURSOR_KINDS.audit;
    for (const id of ['y', '-1', '0', '1.5', '9223372036854775808', '1'.repeat(30), UUID]) {
      expect(refusal(b64(['audit', AT, id]), audit)).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
    expect(refusal(b64(['audit', AT, '9223372036854775807']), audit)).toBeUndefined();
  });

  it('refuses a cursor of another list', () => {
    const outbox = encodeCursor(CURSOR_KINDS.adminEmails, { at: AT, id: UUID });
    expect(refusal(outbox)).toEqual([{ field: 'cursor', message: expect.stringContaining('another list') }]);
  });

  it('gives a next cursor only when there is another row', () => {
    const at = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();
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
