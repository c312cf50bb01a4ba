import fc from 'fast-check';
import { CONSENT_STATUSES, DecisionReason } from './consent';
import { DecisionConsent, DecisionResource, decide } from './consent-decision';

/**
 * Properties of `decide()` (SPEC "Decision point"), checked against an oracle written here from
 * the documented order of checks, not from the code: no consent, revoked, expired (status or
 * `expiresAt` passed), app standing, scope, account, window (inclusive, date part of a timestamp),
 * merchant (case- and whitespace-insensitive), category.
 */

const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3', 'acc-4'];
const SCOPES = ['accounts:read', 'balances:read', 'transactions:read', 'payees:read'];
const CATEGORIES = ['groceries', 'transport', 'bills', 'mortgage'];
const MERCHANTS = ['Sandbox Diner', 'Example  Grocers', 'tesco', 'Test Coffee House'];
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DAY = 86_400_000;

/** Days 2026-01-01 .. 2026-01-12 as `YYYY-MM-DD`: a small universe so windows and dates meet. */
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY).toISOString().slice(0, 10);
const dayArb = fc.integer({ min: 0, max: 11 }).map(day);

/** The same merchant name as a person might type it: any case, spaces around and doubled inside. */
const spelled = (name: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), {
        minLength: name.length,
        maxLength: name.length,
      }),
      fc.constantFrom('', ' ', '  ', '\t'),
      fc.constantFrom('', ' ', ' \n'),
      fc.constantFrom(' ', '  ', '\t'),
    )
    .map(([upper, before, after, gap]) => {
      const cased = [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join('');
      return before + cased.replace(/\s+/g, gap) + after;
    });
const merchantArb = fc.constantFrom(...MERCHANTS).chain(spelled);

/** The oracle's own merchant key: words, lower case, single spaces. */
const words = (s: string) =>
  s
    .split(/[\s]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase())
    .join(' ');

const subset = <T>(xs: readonly T[], minLength = 0) => fc.subarray([...xs], { minLength });

const consentArb: fc.Arbitrary<DecisionConsent> = fc
  .record({
    status: fc.constantFrom(...CONSENT_STATUSES),
    scopes: subset(SCOPES),
    accountIds: subset(ACCOUNTS),
    window: fc.option(fc.tuple(dayArb, dayArb), { nil: null }),
    merchants: fc.option(fc.array(merchantArb, { maxLength: 3 }), {
      nil: null,
    }),
    categories: fc.option(subset(CATEGORIES), { nil: null }),
    expiresIn: fc.integer({ min: -2 * DAY, max: 2 * DAY }),
  })
  .map((c) => {
    const [a, b] = c.window ?? [null, null];
    const [from, to] = a !== null && b !== null && a > b ? [b, a] : [a, b];
    return {
      id: 'c-1',
      status: c.status,
      scopes: c.scopes,
      accountIds: c.accountIds,
      windowFrom: from,
      windowTo: to,
      // Prepared as the replica holds them: keyed once.
      merchants: c.merchants === null ? null : c.merchants.map(words),
      categories: c.categories,
      expiresAtMs: NOW + c.expiresIn,
    };
  });

/** A transaction date as the gateway may send it: a day, or a timestamp of that day in any offset. */
const transactionDateArb = fc
  .tuple(dayArb, fc.constantFrom('', 'T00:00:00Z', 'T23:59:59.999Z', 'T10:30:00+14:00', 'T01:00:00-12:00'))
  .map(([d, suffix]) => d + suffix);

const resourceArb: fc.Arbitrary<DecisionResource | undefined> = fc.option(
  fc.record(
    {
      accountId: fc.constantFrom(...ACCOUNTS, 'acc-9'),
      transactionDate: transactionDateArb,
      merchant: fc.oneof(merchantArb, fc.constant('Unknown Merchant')),
      category: fc.constantFrom(...CATEGORIES, 'cash'),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const requestArb = fc.record({
  consent: fc.option(consentArb, { nil: undefined, freq: 8 }),
  goodStanding: fc.boolean(),
  scope: fc.constantFrom(...SCOPES, 'payments:initiate'),
  resource: resourceArb,
  now: fc.integer({ min: NOW - DAY, max: NOW + DAY }),
});

/** Calendar day number of a date or timestamp: its first ten characters, as the SPEC says. */
const dayNumber = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
};

/** Every check in the documented order, with whether it holds. */
function checks(
  c: DecisionConsent | undefined,
  goodStanding: boolean,
  scope: string,
  r: DecisionResource | undefined,
  now: number,
): [DecisionReason, boolean][] {
  if (c === undefined) return [['no_consent', false]];
  const within =
    r?.transactionDate === undefined ||
    c.windowFrom === null ||
    (dayNumber(r.transactionDate) >= dayNumber(c.windowFrom) && dayNumber(r.transactionDate) <= dayNumber(c.windowTo!));
  return [
    ['revoked', c.status !== 'revoked'],
    ['expired', c.status !== 'expired' && now < c.expiresAtMs],
    ['app_suspended', goodStanding],
    ['scope_not_granted', c.scopes.some((s) => s === scope)],
    ['account_not_granted', r?.accountId === undefined || c.accountIds.some((a) => a === r.accountId)],
    ['outside_window', within],
    [
      'merchant_not_granted',
      r?.merchant === undefined || c.merchants === null || c.merchants.includes(words(r.merchant)),
    ],
    ['category_not_granted', r?.category === undefined || c.categories === null || c.categories.includes(r.category)],
  ];
}

describe('decide(): the one consent rule', () => {
  it('allows exactly when every constraint holds, else names the first failing check in the documented order', () => {
    fc.assert(
      fc.property(requestArb, ({ consent, goodStanding, scope, resource, now }) => {
        const all = checks(consent, goodStanding, scope, resource, now);
        const failing = all.find(([, holds]) => !holds);
        const reason = decide(consent, goodStanding, scope, resource, now);
        expect(reason === 'allowed').toBe(failing === undefined);
        expect(reason).toBe(failing?.[0] ?? 'allowed');
      }),
      { numRuns: 3000 },
    );
  });

  /** A consent that allows everything but the part under test, so only that part can deny. */
  const open = (c: Partial<DecisionConsent>): DecisionConsent => ({
    id: 'c-1',
    status: 'active',
    scopes: SCOPES,
    accountIds: ACCOUNTS,
    windowFrom: null,
    windowTo: null,
    merchants: null,
    categories: null,
    expiresAtMs: NOW + DAY,
    ...c,
  });

  it('compares merchants whatever their case and whitespace, on either side', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MERCHANTS).chain((n) => fc.tuple(fc.constant(n), spelled(n), spelled(n))),
        ([name, granted, asked]) => {
          const consent = open({ merchants: [words(granted)] });
          expect(decide(consent, true, 'accounts:read', { merchant: asked }, NOW)).toBe('allowed');
          const other = MERCHANTS.find((m) => words(m) !== words(name))!;
          expect(decide(consent, true, 'accounts:read', { merchant: other }, NOW)).toBe('merchant_not_granted');
        },
      ),
    );
  });

  it('holds the window inclusive at both ends and uses the date part of a timestamp', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom('', 'T00:00:00Z', 'T23:59:59.999Z', 'T23:30:00-11:00', 'T00:15:00+13:00'),
        (start, length, suffix) => {
          const from = day(start);
          const to = day(Math.min(start + length, 11));
          const consent = open({ windowFrom: from, windowTo: to });
          const at = (d: string) => decide(consent, true, 'transactions:read', { transactionDate: d + suffix }, NOW);
          expect(at(from)).toBe('allowed');
          expect(at(to)).toBe('allowed');
          expect(at(day(start - 1))).toBe('outside_window');
          expect(at(day(Math.min(start + length, 11) + 1))).toBe('outside_window');
        },
      ),
    );
  });

  it('treats a consent whose expiresAt has passed as expired even while its status says active', () => {
    const consent = open({ expiresAtMs: NOW });
    expect(decide(consent, true, 'accounts:read', undefined, NOW - 1)).toBe('allowed');
    expect(decide(consent, true, 'accounts:read', undefined, NOW)).toBe('expired');
  });
});
