import fc from 'fast-check';
import { ConsentTerms } from './consent';
import { CONSENT_WORDING_VERSION, buildReceipt, receiptHash } from './consent-receipt';

const APP = {
  name: 'Budgetly',
  organisationName: 'Budgetly Ltd',
  purpose: 'Show your spending by month',
};
const AT = new Date('2026-11-30T12:00:00.000Z');
const TERMS: ConsentTerms = {
  accountIds: ['acc-1', 'acc-2'],
  scopes: ['accounts:read', 'transactions:read'],
  transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
  merchants: ['tesco', 'sandbox diner'],
  categories: ['groceries', 'bills'],
  expiresAt: '2027-02-28T12:00:00.000Z',
};

/** Reverses an object's own key order, deeply: the same JSON value, written differently. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe('consent receipts', () => {
  const receipt = buildReceipt(1, 'approved', AT, APP, TERMS);
  const { sha256, ...body } = receipt;

  it('seals every field: the hash is the SHA-256 of the canonical body', () => {
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(receiptHash(body)).toBe(sha256);
    expect(receipt).toMatchObject({
      version: 1,
      wordingVersion: CONSENT_WORDING_VERSION,
      decision: 'approved',
    });
    expect(receipt.dataList.map((d) => d.scope)).toEqual(['accounts:read', 'transactions:read']);
  });

  it('does not depend on the order of keys', () => {
    expect(receiptHash(reordered(body) as typeof body)).toBe(sha256);
  });

  /** Every leaf of the body, as a path and a different value of the same kind. */
  function leaves(value: unknown, path: (string | number)[] = []): [path: (string | number)[], changed: unknown][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    }
    const other = typeof value === 'number' ? value + 1 : typeof value === 'string' ? `${value}x` : 'changed';
    return [[path, other]];
  }

  it('changes with any field of the body', () => {
    const all = leaves(body);
    expect(all.length).toBeGreaterThan(20);
    for (const [path, changed] of all) {
      const copy = structuredClone(body) as Record<string | number, unknown>;
      let at: Record<string | number, unknown> = copy;
      for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
      at[path[path.length - 1]!] = changed;
      expect([path.join('.'), receiptHash(copy as typeof body)]).not.toEqual([path.join('.'), sha256]);
    }
  });

  it('changes with any change of terms, decision, version or time (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          accountIds: fc.subarray(['acc-1', 'acc-2', 'acc-3'], {
            minLength: 1,
          }),
          scopes: fc.subarray(['accounts:read', 'balances:read', 'transactions:read'], { minLength: 1 }),
          expiresDay: fc.integer({ min: 1, max: 28 }),
          version: fc.integer({ min: 1, max: 5 }),
          decision: fc.constantFrom('approved' as const, 'narrowed' as const),
        }),
        (v) => {
          const terms = {
            ...TERMS,
            accountIds: v.accountIds,
            scopes: v.scopes,
            expiresAt: `2027-02-${String(v.expiresDay).padStart(2, '0')}T12:00:00.000Z`,
          };
          const other = buildReceipt(v.version, v.decision, AT, APP, terms);
          const same =
            v.version === 1 &&
            v.decision === 'approved' &&
            terms.expiresAt === TERMS.expiresAt &&
            JSON.stringify(v.accountIds) === JSON.stringify(TERMS.accountIds) &&
            JSON.stringify(v.scopes) === JSON.stringify(TERMS.scopes);
          expect(other.sha256 === sha256).toBe(same);
        },
      ),
    );
  });

  it('words every constraint: app, organisation, accounts, window, categories, merchants, expiry, purpose', () => {
    const w = receipt.wording;
    for (const part of [
      'Budgetly',
      'Budgetly Ltd',
      'the 2 accounts',
      '2026-01-01 to 2026-06-30',
      'groceries, bills',
      'tesco, sandbox diner',
      'until 2027-02-28',
      'Show your spending by month',
    ]) {
      expect(w).toContain(part);
    }
    const open = buildReceipt(1, 'approved', AT, APP, {
      ...TERMS,
      accountIds: ['acc-1'],
      transactionWindow: null,
      merchants: null,
      categories: null,
    }).wording;
    expect(open).toContain('the account you chose');
    expect(open).not.toMatch(/transactions dated|categories|merchants/);
  });
});
