import fc from 'fast-check';
import { Interner, LIST_SEPARATOR, consentOf, splitList } from './replica-rows';

describe('splitList', () => {
  it('inverts array_to_string(list, chr(31)) for lists of non-empty items without the separator', () => {
    const item = fc.string({ minLength: 1 }).filter((s) => !s.includes(LIST_SEPARATOR));
    fc.assert(fc.property(fc.array(item), (list) => expect(splitList(list.join(LIST_SEPARATOR))).toEqual(list)));
  });
});

describe('Interner', () => {
  it('hands out one frozen list per distinct value, and one string', () => {
    const intern = new Interner();
    const a = intern.list(['accounts:read', 'transactions:read'].join(LIST_SEPARATOR));
    const b = intern.list(`accounts:read${LIST_SEPARATOR}transactions:read`);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(intern.list(null)).toBeNull();
    expect(intern.string('2026-01-01')).toBe(intern.string('2026-01-01'));
  });
});

describe('consentOf', () => {
  it('prepares a row for decide(): lists split, the same lists shared between consents', () => {
    const intern = new Interner();
    const row = {
      id: 'c1',
      app_id: 'app',
      environment: 'sandbox' as const,
      status: 'active' as const,
      scopes: `accounts:read${LIST_SEPARATOR}transactions:read`,
      account_ids: `A1${LIST_SEPARATOR}A2`,
      window_from: '2026-01-01',
      window_to: '2026-06-30',
      merchants: null,
      categories: `car_finance${LIST_SEPARATOR}mortgage`,
      expires_ms: 1_790_000_000_000,
      sub: 'sub-1',
    };
    const one = consentOf(row, intern);
    expect(one).toEqual({
      id: 'c1',
      status: 'active',
      scopes: ['accounts:read', 'transactions:read'],
      accountIds: ['A1', 'A2'],
      windowFrom: '2026-01-01',
      windowTo: '2026-06-30',
      merchants: null,
      categories: ['car_finance', 'mortgage'],
      expiresAtMs: 1_790_000_000_000,
      appId: 'app',
      environment: 'sandbox',
      customerSub: 'sub-1',
    });
    expect(consentOf({ ...row, id: 'c2' }, intern).scopes).toBe(one.scopes);
  });
});
