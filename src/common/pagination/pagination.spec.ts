import { ValidationFailedError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const cursor = { at: '2026-11-28T10:00:00.000Z', id: '6f1c1e9e-6c2b-4a43-9e0f-5f6d4f7a0b1c' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuses a cursor it did not issue', () => {
    expect(() => decodeCursor('bm90LWEtY3Vyc29y')).toThrow(ValidationFailedError);
  });

  it('gives a next cursor only when there is another row', () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n), at: `t${n}` }));
    const full = toPage(rows, 2, (r) => r);
    expect(full.data).toHaveLength(2);
    expect(decodeCursor(full.nextCursor!)).toEqual({ at: 't2', id: '2' });
    expect(toPage(rows, 3, (r) => r).nextCursor).toBeNull();
  });
});
