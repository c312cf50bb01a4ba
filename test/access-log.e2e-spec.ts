import { AccessLogWriter } from '../src/consents/access-log/access-log.writer';
import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { TestApp, startTestApp } from './harness/test-app';

describe('customer consents: the access log', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let bob: SignedInCustomer;
  let consentId: string;
  const url = () => `/v1/customer/consents/${consentId}/access-log`;

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDBOX_SEED: 'access-log-e2e', SANDBOX_CUSTOMERS: '2' } });
    ({ app } = await consentingApp(t, 'access-log'));
    alice = await sandboxCustomer(t, 0);
    bob = await sandboxCustomer(t, 1);
    consentId = (await grantConsent(t, app, alice)).id;
  });
  afterAll(() => t.close());

  it('shows the reads made under the consent, newest first, in cursor pages', async () => {
    const writer = t.app.get(AccessLogWriter);
    const base = Date.now();
    const account = alice.accounts[0]!;
    for (let i = 0; i < 5; i++) {
      writer.record({
        consentId,
        endpoint: i % 2 ? 'GET /v1/accounts/:accountId/transactions' : 'GET /v1/accounts',
        accountIds: [account],
        dateRange: i % 2 ? { from: '2026-01-01', to: '2026-06-30' } : null,
        records: 10 + i,
        requestId: `req-${i}`,
        at: new Date(base + i * 1000),
      });
    }
    // Another consent's reads are not in this log.
    const other = (await grantConsent(t, app, alice)).id;
    writer.record({ consentId: other, endpoint: 'GET /v1/accounts', accountIds: [account], records: 1 });
    await writer.flushAll();

    const first = await t.http().get(url()).query({ limit: '2' }).set(bearer(alice.token)).expect(200);
    expect(first.body.data).toEqual([
      {
        at: new Date(base + 4000).toISOString(),
        endpoint: 'GET /v1/accounts',
        accountIds: [account],
        dateRange: null,
        records: 14,
        requestId: 'req-4',
      },
      {
        at: new Date(base + 3000).toISOString(),
        endpoint: 'GET /v1/accounts/:accountId/transactions',
        accountIds: [account],
        dateRange: { from: '2026-01-01', to: '2026-06-30' },
        records: 13,
        requestId: 'req-3',
      },
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t
      .http()
      .get(url())
      .query({ limit: '2', cursor: first.body.nextCursor })
      .set(bearer(alice.token))
      .expect(200);
    const third = await t
      .http()
      .get(url())
      .query({ limit: '2', cursor: second.body.nextCursor })
      .set(bearer(alice.token))
      .expect(200);
    const ids = (page: { body: { data: { requestId: string }[] } }) => page.body.data.map((e) => e.requestId);
    expect([ids(second), ids(third)]).toEqual([['req-2', 'req-1'], ['req-0']]);
    expect(third.body.nextCursor).toBeNull();
  });

  it('orders reads within one millisecond by their microseconds, then by id, each once', async () => {
    const c = (await grantConsent(t, app, alice)).id;
    // Two share an instant (the later id first), two straddle a millisecond, the oldest has the largest id.
    // Today, so after the consent's creation less the day the read allows for clock skew.
    const day = new Date().toISOString().slice(0, 10);
    const times = ['.000300', '.000300', '.000999', '.001000', '.000100'].map((f) => `${day}T00:00:00${f}Z`);
    for (const [i, at] of times.entries()) {
      await t.dataSource.query(
        `INSERT INTO consent_access_log (consent_id, occurred_at, endpoint, records, request_id)
         VALUES ($1, $2, 'GET /v1/accounts', 0, $3)`,
        [c, at, `m-${i}`],
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await t
        .http()
        .get(`/v1/customer/consents/${c}/access-log`)
        .query({ limit: '1', ...(cursor ? { cursor } : {}) })
        .set(bearer(alice.token))
        .expect(200);
      seen.push(...(res.body.data as { requestId: string }[]).map((e) => e.requestId));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(['m-3', 'm-2', 'm-1', 'm-0', 'm-4']);
  });

  it("is 404 for another customer's consent, a consent that does not exist and an id that is not one", async () => {
    for (const path of [
      url(),
      '/v1/customer/consents/7f1c1a52-3f47-4b8e-9d7e-2f6f0b6a3c11/access-log',
      '/v1/customer/consents/not-a-uuid/access-log',
    ]) {
      const res = await t.http().get(path).set(bearer(bob.token));
      expect([path, res.status, res.headers['content-type']]).toEqual([
        path,
        404,
        expect.stringContaining('application/problem+json'),
      ]);
    }
    await t.http().get(url()).expect(401);
  });

  it('refuses a bad cursor or limit with 400 problem+json naming it', async () => {
    for (const [query, field] of [
      [{ cursor: 'WyJ4IiwieSJd' }, 'cursor'],
      [
        {
          cursor: Buffer.from(JSON.stringify(['consent-access-log', '2026-11-28T10:00:00.000Z', '1'])).toString(
            'base64url',
          ),
        },
        'cursor',
      ],
      [{ limit: '0' }, 'limit'],
    ] as const) {
      const res = await t.http().get(url()).query(query).set(bearer(alice.token)).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });
});
