import { CURSOR_KINDS, encodeCursor } from '../common/pagination/pagination';
import { encodeTransactionsCursor, isCalendarDate, parseTransactionsQuery } from './transactions-query';

const ID = '2b7f4c2e-1d3a-4e5f-8a9b-0c1d2e3f4a5b';

describe('parseTransactionsQuery', () => {
  it('defaults to everything, 50 a page', () => {
    expect(parseTransactionsQuery({})).toEqual({ from: null, to: null, limit: 50, cursor: null });
  });

  it('reads dates, limit and a cursor of this list', () => {
    const cursor = encodeTransactionsCursor({ bookingDate: '2026-02-01', id: ID });
    expect(parseTransactionsQuery({ from: '2026-01-01', to: '2026-01-31', limit: '200', cursor })).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      limit: 200,
      cursor: { bookingDate: '2026-02-01', id: ID },
    });
  });

  it.each([
    [{ from: '2026-02-30' }, ['from']],
    [{ to: '26-01-01' }, ['to']],
    [{ from: '2026-02-01', to: '2026-01-01' }, ['to']],
    [{ limit: '0' }, ['limit']],
    [{ limit: '201' }, ['limit']],
    [{ limit: '1e2' }, ['limit']],
    [{ limit: ['5', '6'] }, ['limit']],
    [{ cursor: 'garbage' }, ['cursor']],
    [
      { cursor: encodeCursor(CURSOR_KINDS.consentAccessLog, { at: '2026-02-01T00:00:00.000000Z', id: '42' }) },
      ['cursor'],
    ],
    [{ cursor: encodeCursor(CURSOR_KINDS.sandboxTransactions, { at: '2026-02-30', id: ID }) }, ['cursor']],
    [
      { cursor: encodeCursor(CURSOR_KINDS.sandboxTransactions, { at: '2026-02-01T00:00:00.000000Z', id: ID }) },
      ['cursor'],
    ],
    [{ cursor: encodeCursor(CURSOR_KINDS.sandboxTransactions, { at: '2026-02-01', id: '42' }) }, ['cursor']],
    [{ from: 'x', limit: '-1' }, ['from', 'limit']],
  ])('refuses %j naming %j', (query, fields) => {
    const result = parseTransactionsQuery(query as Record<string, unknown>);
    expect(Array.isArray(result) && result.map((e) => e.field)).toEqual(fields);
  });

  it('knows calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });
});
