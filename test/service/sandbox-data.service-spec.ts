import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DomainError } from '../../src/common/errors/domain-error';
import { ConsentDetailView } from '../../src/consents/consents.service';
import { merchantKey } from '../../src/consents/consent';
import { CATEGORIES } from '../../src/customers/sandbox/sandbox-generator';
import { SandboxDataService, TransactionView } from '../../src/sandbox-api/sandbox-data.service';
import { TransactionsQuery, parseTransactionsQuery } from '../../src/sandbox-api/transactions-query';
import { SandboxApp } from '../harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from '../harness/consents';
import { TestApp, startTestApp } from '../harness/test-app';

const SCOPES = ['accounts:read', 'balances:read', 'transactions:read'] as const;
/** Merchant names as a bank writes them, with case and spacing variants of the same merchant. */
const MERCHANT_NAMES = [
  '\tSandbox Diner',
  'Example\t Grocers ',
  'Sandbox Diner',
  'sandbox  diner',
  ' SANDBOX DINER ',
  'Example Grocers',
  'Test Shop',
  'Test Shopping',
];
const FIRST_DAY = Date.UTC(2026, 0, 1);
const day = (n: number) => new Date(FIRST_DAY + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Characters for merchant names: JavaScript's whitespace (every `\s` character) and lookalikes
 * that are not whitespace to it (U+0085, U+180E, U+200B, U+2060), and letters whose lower case is
 * special (İ → i̇, a word-final Σ → ς, ẞ, ǅ, Ⅻ, Ⓐ, fullwidth, Deseret beyond the BMP), among
 * blocks of scripts encoded before Unicode 10 (the oldest ICU Gatehouse runs on). Letters newer
 * than the server's ICU may lower-case differently (docs/decisions.md, "Sandbox data API").
 */
const WHITESPACE =
  '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
const NOT_WHITESPACE = '\u0085\u180e\u200b\u2060';
const SPECIAL_CASE = 'İıΣσςẞßǄǅǆⅫⒶＡΐΰŉǰ';
const CODE_POINT_BLOCKS: [number, number][] = [
  [0x21, 0x7e], // ASCII
  [0xa1, 0x24f], // Latin-1, Latin Extended-A and -B
  [0x370, 0x3ff], // Greek
  [0x400, 0x52f], // Cyrillic
  [0x531, 0x587], // Armenian
  [0x10a0, 0x10ff], // Georgian
  [0x13a0, 0x13f5], // Cherokee
  [0x1e00, 0x1fff], // Latin Extended Additional, Greek Extended
  [0x2150, 0x2188], // number forms
  [0x24b6, 0x24e9], // circled letters
  [0xff21, 0xff5a], // fullwidth letters
  [0x10400, 0x1044f], // Deseret
  [0x4e00, 0x4e2f], // CJK
  [0x1f600, 0x1f64f], // emoji
];
const merchantCharArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WHITESPACE, ...NOT_WHITESPACE) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_CASE) },
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...CODE_POINT_BLOCKS)
      .chain(([min, max]) => fc.integer({ min, max }))
      .map((cp) => String.fromCodePoint(cp)),
  },
);
/** A merchant name as it could be stored (varchar(100): at most 100 characters). */
const merchantNameArb = fc.array(merchantCharArb, { minLength: 1, maxLength: 40 }).map((chars) => chars.join(''));

interface Row {
  id: string;
  account: 0 | 1;
  bookingDate: string;
  merchant: string;
  category: string;
}

// Few days, so rows fall on the window's and the query's edges often.
const dayArb = fc.integer({ min: 0, max: 13 }).map(day);
const rangeArb = fc.option(
  fc.tuple(dayArb, dayArb).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
  { nil: null },
);
const rowsArb = fc.array(
  fc.record({
    account: fc.constantFrom(0 as const, 1 as const),
    bookingDate: dayArb,
    merchant: fc.constantFrom(...MERCHANT_NAMES),
    category: fc.constantFrom(...CATEGORIES.slice(0, 4)),
  }),
  { maxLength: 40 },
);
const consentArb: fc.Arbitrary<ConsentCase> = fc.record({
  scopes: fc.subarray([...SCOPES], { minLength: 1 }),
  accounts: fc.subarray([0, 1] as const, { minLength: 1 }),
  window: rangeArb,
  // Restrictions as the customer typed them (the consent stores them merchantKey'ed).
  merchants: fc.option(
    fc.subarray(['sandbox diner', 'EXAMPLE GROCERS', 'Test  Shop'], {
      minLength: 1,
    }),
    {
      nil: null,
    },
  ),
  categories: fc.option(fc.subarray([...CATEGORIES.slice(0, 4)], { minLength: 1 }), { nil: null }),
});
const queryArb: fc.Arbitrary<QueryCase> = fc.record({
  account: fc.constantFrom(0 as const, 1 as const),
  from: fc.option(dayArb, { nil: null }),
  to: fc.option(dayArb, { nil: null }),
  limit: fc.integer({ min: 1, max: 15 }),
});

type ConsentCase = {
  scopes: string[];
  accounts: (0 | 1)[];
  window: { from: string; to: string } | null;
  merchants: string[] | null;
  categories: string[] | null;
};
type QueryCase = {
  account: 0 | 1;
  from: string | null;
  to: string | null;
  limit: number;
};

/** The oracle, written apart from the service: what a consent lets an app see of one account. */
function oracle(rows: Row[], consent: ConsentCase, query: QueryCase): string[] {
  const fold = (s: string) => s.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
  return rows
    .filter((r) => r.account === query.account && consent.accounts.includes(r.account))
    .filter((r) => !consent.window || (r.bookingDate >= consent.window.from && r.bookingDate <= consent.window.to))
    .filter(
      (r) => (query.from === null || r.bookingDate >= query.from) && (query.to === null || r.bookingDate <= query.to),
    )
    .filter((r) => !consent.merchants || consent.merchants.some((m) => fold(m) === fold(r.merchant)))
    .filter((r) => !consent.categories || consent.categories.includes(r.category))
    .map((r) => r.id)
    .sort();
}

/**
 * The data API's answers against random consents and random sandbox data on real PostgreSQL
 * (consents granted through ConsentsService, rows inserted directly): nothing the consent does not
 * allow is ever returned, and everything it allows in the asked range is, across every page.
 */
describe('sandbox data API answers (property)', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let service: SandboxDataService;
  let accounts: [string, string];

  beforeAll(async () => {
    t = await startTestApp({
      env: { SANDBOX_SEED: 'sandbox-data-property', SANDBOX_CUSTOMERS: '1' },
    });
    ({ app } = await consentingApp(t, 'sandbox-data'));
    alice = await sandboxCustomer(t, 0);
    if (alice.accounts.length < 2) throw new Error('the property needs a customer with two accounts');
    accounts = [alice.accounts[0]!, alice.accounts[1]!];
    service = t.app.get(SandboxDataService);
  });
  afterAll(() => t.close());

  async function replaceTransactions(rows: Row[]): Promise<void> {
    await t.dataSource.query(`DELETE FROM sandbox_transactions WHERE account_id = ANY($1::uuid[])`, [accounts]);
    if (rows.length === 0) return;
    await t.dataSource.query(
      `INSERT INTO sandbox_transactions (id, account_id, booking_date, amount, currency, description, merchant, category)
       SELECT u.id, u.account_id, u.booking_date, -1.00, 'GBP', 'property row', u.merchant, u.category
         FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::text[], $5::text[]) AS u(id, account_id, booking_date, merchant, category)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => accounts[r.account]),
        rows.map((r) => r.bookingDate),
        rows.map((r) => r.merchant),
        rows.map((r) => r.category),
      ],
    );
  }

  async function allPages(consent: ConsentDetailView, accountId: string, q: QueryCase) {
    const caller = { consentId: consent.id, clientId: app.clientId };
    const seen: TransactionView[] = [];
    let cursor: TransactionsQuery['cursor'] = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await service.transactions(
        caller,
        accountId,
        { from: q.from, to: q.to, limit: q.limit, cursor },
        null,
      );
      seen.push(...page.data);
      if (page.nextCursor === null) return seen;
      const next = parseTransactionsQuery({ cursor: page.nextCursor });
      if (Array.isArray(next)) throw new Error(`the API refused its own nextCursor: ${JSON.stringify(next)}`);
      cursor = next.cursor;
    }
    throw new Error('more than 100 pages');
  }

  it('returns exactly the rows the consent allows in the asked range, and only granted accounts', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, consentArb, queryArb, async (generated, c, q) => {
        const rows: Row[] = generated.map((r) => ({
          ...r,
          id: randomUUID(),
        }));
        await replaceTransactions(rows);
        const consent = await grantConsent(t, app, alice, {
          scopes: [...c.scopes],
          constraints: {
            accountIds: c.accounts.map((i) => accounts[i]),
            transactionWindow: c.window,
            merchants: c.merchants,
            categories: c.categories,
          },
        });
        const caller = { consentId: consent.id, clientId: app.clientId };
        const accountId = accounts[q.account];

        // accounts: exactly the granted ones, when accounts:read is granted.
        if (c.scopes.includes('accounts:read')) {
          const listed = (await service.accounts(caller, null)).data.map((a) => a.accountId).sort();
          expect(listed).toEqual(c.accounts.map((i) => accounts[i]).sort());
        } else {
          await expect(service.accounts(caller, null)).rejects.toMatchObject({
            extensions: { reason: 'scope_not_granted' },
          });
        }

        const answer = allPages(consent, accountId, q);
        if (!c.scopes.includes('transactions:read')) {
          await expect(answer).rejects.toMatchObject({
            code: 'forbidden',
            extensions: { reason: 'scope_not_granted' },
          });
          return;
        }
        if (!c.accounts.includes(q.account)) {
          await expect(answer).rejects.toBeInstanceOf(DomainError);
          await expect(answer).rejects.toMatchObject({ code: 'not_found' });
          return;
        }
        const got = await answer;
        const ids = got.map((r) => r.transactionId);
        expect(new Set(ids).size).toBe(ids.length); // no row twice across pages
        expect([...ids].sort()).toEqual(oracle(rows, c, q));
        // newest first, as the cursor assumes
        const keys = got.map((r) => `${r.bookingDate} ${r.transactionId}`);
        expect(keys).toEqual([...keys].sort().reverse());
      }),
      { numRuns: 100 },
    );
  });

  it("stores each merchant's merchantKey as PostgreSQL computes it (the generated merchant_key column)", async () => {
    // Every whitespace character, alone and between letters, and the special cases, then random names.
    const fixed = [...WHITESPACE, ...NOT_WHITESPACE].flatMap((w) => [w, `a${w}${w}B`, `${w}Σ${w}`]);
    fixed.push('ΑΣ', 'ΑΣ Β', 'İstanbul', 'STRASSE ẞ', 'ǄEMAL', 'Ⅻ Ⓐ Ａ');
    await fc.assert(
      fc.asyncProperty(fc.array(merchantNameArb, { minLength: 1, maxLength: 200 }), async (names) => {
        const stored = (await t.dataSource.query(
          `INSERT INTO sandbox_transactions (id, account_id, booking_date, amount, currency, description, merchant, category)
           SELECT gen_random_uuid(), $1, '2026-01-01', -1.00, 'GBP', 'merchant key row', u.merchant, 'groceries'
             FROM unnest($2::text[]) WITH ORDINALITY AS u(merchant, n)
           RETURNING merchant, merchant_key AS "merchantKey"`,
          [accounts[0], names],
        )) as { merchant: string; merchantKey: string }[];
        await t.dataSource.query(`DELETE FROM sandbox_transactions WHERE account_id = $1`, [accounts[0]]);
        expect(stored).toHaveLength(names.length);
        for (const row of stored)
          expect({ merchant: row.merchant, key: row.merchantKey }).toEqual({
            merchant: row.merchant,
            key: merchantKey(row.merchant),
          });
      }),
      { numRuns: 100, examples: [[fixed]] },
    );
  });
});
