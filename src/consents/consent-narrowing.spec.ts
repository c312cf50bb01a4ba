import fc from 'fast-check';
import { ConsentTerms } from './consent';
import { DecisionConsent, DecisionResource, decide } from './consent-decision';
import { NarrowingRequest, narrowTerms } from './consent-narrowing';

/**
 * Properties of `narrowTerms()` (SPEC "Customer consents": narrow only). The security rule: what
 * a consent allows after a narrowing is a subset of what it allowed before, checked with the one
 * decision rule (`decide`) over random requests, not by reading the terms.
 */

const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3', 'acc-4'];
const SCOPES = ['accounts:read', 'balances:read', 'transactions:read', 'payees:read'];
const CATEGORIES = ['groceries', 'transport', 'bills', 'mortgage'];
const MERCHANTS = ['sandbox diner', 'example grocers', 'tesco', 'test coffee house'];
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DAY = 86_400_000;
/** The order in which narrowTerms judges fields; the first widening one is named. */
const FIELDS = ['accountIds', 'scopes', 'transactionWindow', 'merchants', 'categories', 'expiresAt'] as const;

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY).toISOString().slice(0, 10);
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }))
  .map(([a, b]) => ({ from: day(Math.min(a, b)), to: day(Math.max(a, b)) }));
/** A merchant as a customer may type it (any case, extra spaces): narrowing keys it. */
const typedMerchant = fc
  .tuple(fc.constantFrom(...MERCHANTS), fc.boolean(), fc.constantFrom('', ' ', '  '))
  .map(([m, upper, pad]) => pad + (upper ? m.toUpperCase() : m).replace(/ /g, pad || ' ') + pad);
const key = (s: string) => s.trim().split(/\s+/).join(' ').toLowerCase();

const termsArb: fc.Arbitrary<ConsentTerms> = fc.record({
  accountIds: fc.subarray(ACCOUNTS, { minLength: 1 }),
  scopes: fc.subarray(SCOPES, { minLength: 1 }),
  transactionWindow: fc.option(windowArb, { nil: null }),
  // Stored terms hold merchants keyed (ConsentsService.grant).
  merchants: fc.option(fc.subarray(MERCHANTS, { minLength: 1 }), { nil: null }),
  categories: fc.option(fc.subarray(CATEGORIES, { minLength: 1 }), {
    nil: null,
  }),
  expiresAt: fc.integer({ min: 1, max: 90 }).map((d) => new Date(NOW + d * DAY).toISOString()),
});

const patchArb = (current: ConsentTerms): fc.Arbitrary<NarrowingRequest> =>
  fc.record(
    {
      accountIds: fc.subarray(ACCOUNTS, { minLength: 1 }),
      scopes: fc.subarray(SCOPES, { minLength: 1 }),
      transactionWindow: fc.option(windowArb, { nil: null, freq: 5 }),
      merchants: fc.option(fc.array(typedMerchant, { minLength: 1, maxLength: 4 }), { nil: null, freq: 5 }),
      categories: fc.option(fc.subarray(CATEGORIES, { minLength: 1 }), {
        nil: null,
        freq: 5,
      }),
      expiresAt: fc
        .integer({ min: -3 * DAY, max: 3 * DAY })
        .map((delta) => new Date(Date.parse(current.expiresAt) + delta).toISOString()),
    },
    { requiredKeys: [] },
  );

const caseArb = termsArb.chain((current) => fc.tuple(fc.constant(current), patchArb(current)));

const within = <T>(xs: readonly T[], of: readonly T[]) => xs.every((x) => of.includes(x));
const sameSet = <T>(a: readonly T[] | null, b: readonly T[] | null) =>
  a === null || b === null ? a === b : within(a, b) && within(b, a);

/** The oracle: which fields of `patch` widen `current`, in the documented order. */
function wideningFields(current: ConsentTerms, patch: NarrowingRequest, now: number): string[] {
  const widens: Record<(typeof FIELDS)[number], boolean> = {
    accountIds: patch.accountIds !== undefined && !within(patch.accountIds, current.accountIds),
    scopes: patch.scopes !== undefined && !within(patch.scopes, current.scopes),
    transactionWindow:
      patch.transactionWindow !== undefined &&
      current.transactionWindow !== null &&
      (patch.transactionWindow === null ||
        patch.transactionWindow.from < current.transactionWindow.from ||
        patch.transactionWindow.to > current.transactionWindow.to),
    merchants:
      patch.merchants !== undefined &&
      current.merchants !== null &&
      (patch.merchants === null || !within(patch.merchants.map(key), current.merchants)),
    categories:
      patch.categories !== undefined &&
      current.categories !== null &&
      (patch.categories === null || !within(patch.categories, current.categories)),
    expiresAt:
      patch.expiresAt !== undefined &&
      (Date.parse(patch.expiresAt) > Date.parse(current.expiresAt) || Date.parse(patch.expiresAt) <= now),
  };
  return FIELDS.filter((f) => widens[f]);
}

/** The field as a comparable value: lists as sorted sets, the rest as they are. */
function comparable(terms: ConsentTerms, field: (typeof FIELDS)[number]): unknown {
  const v = terms[field];
  if (Array.isArray(v)) return [...new Set(v)].sort();
  if (field === 'expiresAt') return Date.parse(v as string);
  return v;
}

const asDecisionConsent = (t: ConsentTerms): DecisionConsent => ({
  id: 'c-1',
  status: 'active',
  scopes: t.scopes,
  accountIds: t.accountIds,
  windowFrom: t.transactionWindow?.from ?? null,
  windowTo: t.transactionWindow?.to ?? null,
  merchants: t.merchants,
  categories: t.categories,
  expiresAtMs: Date.parse(t.expiresAt),
});

const requestArb = fc.record({
  scope: fc.constantFrom(...SCOPES),
  resource: fc.option(
    fc.record(
      {
        accountId: fc.constantFrom(...ACCOUNTS),
        transactionDate: fc.integer({ min: -1, max: 12 }).map(day),
        merchant: typedMerchant,
        category: fc.constantFrom(...CATEGORIES),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ) as fc.Arbitrary<DecisionResource | undefined>,
  at: fc.integer({ min: NOW, max: NOW + 95 * DAY }),
});

describe('narrowTerms(): narrow only', () => {
  it('accepts a patch exactly when no field widens, and names the first widening field in order', () => {
    fc.assert(
      fc.property(caseArb, ([current, patch]) => {
        const widening = wideningFields(current, patch, NOW);
        const result = narrowTerms(current, patch, NOW);
        expect(result.ok).toBe(widening.length === 0);
        if (!result.ok) expect(result.field).toBe(widening[0]);
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets a narrowed consent allow a request the consent refused before (the security rule)', () => {
    fc.assert(
      fc.property(caseArb, fc.array(requestArb, { minLength: 20, maxLength: 20 }), ([current, patch], requests) => {
        const result = narrowTerms(current, patch, NOW);
        if (!result.ok) return;
        const before = asDecisionConsent(current);
        const after = asDecisionConsent(result.terms);
        for (const { scope, resource, at } of requests) {
          if (decide(after, true, scope, resource, at) === 'allowed') {
            expect(decide(before, true, scope, resource, at)).toBe('allowed');
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('lists in `changed` exactly the fields whose value changed, and leaves the others as they were', () => {
    fc.assert(
      fc.property(caseArb, ([current, patch]) => {
        const result = narrowTerms(current, patch, NOW);
        if (!result.ok) return;
        const differs = FIELDS.filter(
          (f) => JSON.stringify(comparable(current, f)) !== JSON.stringify(comparable(result.terms, f)),
        );
        expect(result.changed).toEqual(differs);
        for (const f of FIELDS) if (patch[f] === undefined) expect(result.terms[f]).toEqual(current[f]);
        // What was asked for is what is kept, as sets.
        if (patch.accountIds) expect(sameSet(result.terms.accountIds, patch.accountIds)).toBe(true);
        if (patch.scopes) expect(sameSet(result.terms.scopes, patch.scopes)).toBe(true);
        if (patch.merchants) expect(sameSet(result.terms.merchants, patch.merchants.map(key))).toBe(true);
        if (patch.categories) expect(sameSet(result.terms.categories, patch.categories)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses to move the expiry to now or the past, naming expiresAt', () => {
    const current: ConsentTerms = {
      accountIds: ['acc-1'],
      scopes: ['accounts:read'],
      transactionWindow: null,
      merchants: null,
      categories: null,
      expiresAt: new Date(NOW + DAY).toISOString(),
    };
    for (const at of [NOW, NOW - 1, NOW - DAY]) {
      const r = narrowTerms(current, { expiresAt: new Date(at).toISOString() }, NOW);
      expect(r).toMatchObject({ ok: false, field: 'expiresAt' });
    }
    expect(narrowTerms(current, { expiresAt: new Date(NOW + 1).toISOString() }, NOW)).toMatchObject({
      ok: true,
      changed: ['expiresAt'],
    });
  });

  it('treats adding a restriction to an unrestricted consent as narrowing, and removing one as widening', () => {
    const open: ConsentTerms = {
      accountIds: ['acc-1'],
      scopes: ['accounts:read'],
      transactionWindow: null,
      merchants: null,
      categories: null,
      expiresAt: new Date(NOW + DAY).toISOString(),
    };
    const restricted = narrowTerms(
      open,
      {
        transactionWindow: { from: day(1), to: day(2) },
        merchants: [' TESCO '],
        categories: ['bills'],
      },
      NOW,
    );
    expect(restricted).toMatchObject({
      ok: true,
      terms: {
        transactionWindow: { from: day(1), to: day(2) },
        merchants: ['tesco'],
        categories: ['bills'],
      },
      changed: ['transactionWindow', 'merchants', 'categories'],
    });
    const terms = (restricted as { terms: ConsentTerms }).terms;
    for (const field of ['transactionWindow', 'merchants', 'categories'] as const) {
      expect(narrowTerms(terms, { [field]: null }, NOW)).toMatchObject({
        ok: false,
        field,
      });
    }
  });
});
