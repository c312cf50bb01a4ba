import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DomainError } from '../../src/common/errors/domain-error';
import { ConsentDetailView } from '../../src/consents/consents.service';
import { CATEGORIES } from '../../src/customers/sandbox/sandbox-generator';
import { SandboxDataService, TransactionView } from '../../src/sandbox-api/sandbox-data.service';
import { TransactionsQuery } from '../../src/sandbox-api/transactions-query';
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
      const [, , bookingDate, id] = JSON.parse(Buffer.from(page.nextCursor, 'base64url').toString()) as string[];
      cursor = { accountId, bookingDate: bookingDate!, id: id! };
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
});
