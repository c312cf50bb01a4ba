import { AccessLogWriter } from '../src/consents/access-log/access-log.writer';
import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, sandboxCustomer } from './harness/consents';
import { accountAccess, approve, authorize, oidc, startAuthorization, thirdPartyApp } from './harness/oauth';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

type Config = Awaited<ReturnType<typeof thirdPartyApp>>;
interface Transaction {
  transactionId: string;
  bookingDate: string;
  category: string;
}

/**
 * The sandbox data API as a third-party app sees it (SPEC "Sandbox data API"): openid-client gets
 * an access token through the real authorisation server, then reads with it.
 */
describe('sandbox data API', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let bob: SignedInCustomer;
  let config: Config;

  beforeAll(async () => {
    t = await startTestApp({
      publicUrlIsBaseUrl: true,
      env: { SANDBOX_SEED: 'sandbox-api-e2e', SANDBOX_CUSTOMERS: '2' },
    });
    ({ app } = await consentingApp(t, 'sandbox-api'));
    alice = await sandboxCustomer(t, 0);
    bob = await sandboxCustomer(t, 1);
    config = await thirdPartyApp(t, app);
  });
  afterAll(() => t.close());

  /** Alice consents (accounts:read and transactions:read on her first account); the app's token and consent id. */
  async function consented(): Promise<{ token: string; consentId: string }> {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    return { token: tokens.access_token, consentId };
  }

  /** A read by the app through openid-client (the token in the Authorization header). */
  async function read(token: string, path: string, baseUrl = t.baseUrl) {
    // openid-client rejects an answer carrying a WWW-Authenticate challenge (401, 403) with the response attached.
    const res = await oidc
      .fetchProtectedResource(config, token, new URL(`${baseUrl}${path}`), 'GET')
      .catch((e: unknown) => {
        if (e instanceof oidc.WWWAuthenticateChallengeError) return e.response;
        throw e;
      });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      requestId: res.headers.get('x-request-id'),
      wwwAuthenticate: res.headers.get('www-authenticate'),
      type,
      body: (await res.json()) as Record<string, unknown> & { data?: unknown[]; nextCursor?: string | null },
    };
  }

  const transactionsOf = async (accountId: string) =>
    (await t.dataSource.query(
      `SELECT id::text, to_char(booking_date, 'YYYY-MM-DD') AS "bookingDate" FROM sandbox_transactions WHERE account_id = $1 ORDER BY booking_date DESC, id DESC`,
      [accountId],
    )) as { id: string; bookingDate: string }[];

  it('after consent the app reads accounts and transactions; the access log lists exactly those reads', async () => {
    const { token, consentId } = await consented();
    const account = alice.accounts[0]!;

    const accounts = await read(token, '/sandbox/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.body.data).toEqual([expect.objectContaining({ accountId: account, currency: 'GBP' })]);

    const all = await transactionsOf(account);
    expect(all.length).toBeGreaterThan(5);
    const first = await read(token, `/sandbox/v1/accounts/${account}/transactions?limit=5`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(5);
    const second = await read(
      token,
      `/sandbox/v1/accounts/${account}/transactions?limit=200&cursor=${first.body.nextCursor as string}`,
    );
    expect(second.status).toBe(200);
    const seen = [...first.body.data!, ...second.body.data!] as Transaction[];
    expect(seen.map((x) => x.transactionId)).toEqual(all.map((x) => x.id));

    await t.app.get(AccessLogWriter).flushAll();
    const log = await t
      .http()
      .get(`/v1/customer/consents/${consentId}/access-log`)
      .set(bearer(alice.token))
      .expect(200);
    expect(log.body.data).toEqual([
      expect.objectContaining({
        endpoint: 'GET /sandbox/v1/accounts/:accountId/transactions',
        accountIds: [account],
        records: second.body.data!.length,
        requestId: second.requestId,
        dateRange: null, // neither the consent nor the request bounds the dates
      }),
      expect.objectContaining({
        endpoint: 'GET /sandbox/v1/accounts/:accountId/transactions',
        accountIds: [account],
        records: 5,
        requestId: first.requestId,
      }),
      expect.objectContaining({
        endpoint: 'GET /sandbox/v1/accounts',
        accountIds: [account],
        records: 1,
        requestId: accounts.requestId,
        dateRange: null,
      }),
    ]);
    const consent = await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200);
    expect(consent.body.lastUsedAt).toEqual(expect.any(String));
  });

  it('narrowing the consent changes the next answers', async () => {
    const { token, consentId } = await consented();
    const account = alice.accounts[0]!;
    const all = await transactionsOf(account);
    // A window holding the newer half of the account's transactions (by booking date).
    const from = all[Math.floor(all.length / 2)]!.bookingDate;
    const to = all[0]!.bookingDate;
    const inWindow = all.filter((x) => x.bookingDate >= from).map((x) => x.id);
    expect(inWindow.length).toBeLessThan(all.length);
    const path = `/sandbox/v1/accounts/${account}/transactions?limit=200`;
    expect((await read(token, path)).body.data).toHaveLength(all.length);

    await t
      .http()
      .patch(`/v1/customer/consents/${consentId}`)
      .set(bearer(alice.token))
      .send({ transactionWindow: { from, to } })
      .expect(200);
    const narrowed = await eventually(async () => {
      const r = await read(token, path);
      return r.body.data!.length < all.length && r;
    });
    expect((narrowed.body.data as Transaction[]).map((x) => x.transactionId)).toEqual(inWindow);

    await t
      .http()
      .patch(`/v1/customer/consents/${consentId}`)
      .set(bearer(alice.token))
      .send({ scopes: ['accounts:read'] })
      .expect(200);
    const refused = await eventually(async () => {
      const r = await read(token, path);
      return r.status === 403 && r;
    });
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 403, reason: 'scope_not_granted', scope: 'transactions:read' });
  });

  it('revoking the consent makes the very next call 401 invalid_token, in a second API process too', async () => {
    const second = await startTestApp({ sharing: t, env: { GATEHOUSE_ROLE: 'api', PUBLIC_URL: t.baseUrl } });
    try {
      const { token, consentId } = await consented();
      expect((await read(token, '/sandbox/v1/accounts')).status).toBe(200);
      expect((await read(token, '/sandbox/v1/accounts', second.baseUrl)).status).toBe(200);

      await t.http().delete(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(204);
      for (const baseUrl of [t.baseUrl, second.baseUrl]) {
        const r = await read(token, '/sandbox/v1/accounts', baseUrl);
        expect(r.status).toBe(401);
        expect(r.wwwAuthenticate).toMatch(/^Bearer error="invalid_token"/);
        expect(r.type).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await second.close();
    }
  });

  it('refuses a token in the query string, a missing token, a scope not granted, and accounts not granted', async () => {
    const { token } = await consented();
    const account = alice.accounts[0]!;

    const inQuery = await t.http().get(`/sandbox/v1/accounts?access_token=${token}`).expect(400);
    expect(inQuery.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(inQuery.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
    // Even beside a good Authorization header, a token in the URL is refused, not ignored.
    await t.http().get(`/sandbox/v1/accounts?access_token=${token}`).set(bearer(token)).expect(400);
    const none = await t.http().get('/sandbox/v1/accounts').expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const unknown = await t.http().get('/sandbox/v1/accounts').set(bearer('not-a-token-we-issued')).expect(401);
    expect(unknown.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);

    const balances = await read(token, `/sandbox/v1/accounts/${account}/balances`);
    expect(balances.status).toBe(403);
    expect(balances.body).toMatchObject({ reason: 'scope_not_granted', scope: 'balances:read' });
    expect(balances.wwwAuthenticate).toBe('Bearer error="insufficient_scope", scope="balances:read"');

    for (const other of [bob.accounts[0]!, alice.accounts[1]!, 'not-an-account']) {
      const r = await read(token, `/sandbox/v1/accounts/${other}/transactions`);
      expect(r.status).toBe(404);
      expect(r.type).toMatch(/^application\/problem\+json/);
    }
    const badQuery = await read(token, `/sandbox/v1/accounts/${account}/transactions?from=2026-02-30&limit=0`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.errors).toEqual([
      { field: 'from', message: expect.any(String) },
      { field: 'limit', message: expect.any(String) },
    ]);
  });

  it('serves the balance when balances:read is granted, and refuses a suspended app with 403 app_suspended', async () => {
    const started = await startAuthorization(
      config,
      accountAccess({ scopes: ['accounts:read', 'balances:read', 'transactions:read'] }),
    );
    const callback = await approve(t, started, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const account = alice.accounts[0]!;
    const path = `/sandbox/v1/accounts/${account}/balances`;
    const [{ sum }] = (await t.dataSource.query(
      `SELECT coalesce(sum(amount), 0)::numeric(14, 2)::text AS sum FROM sandbox_transactions WHERE account_id = $1`,
      [account],
    )) as [{ sum: string }];
    const balance = await read(tokens.access_token, path);
    expect(balance.status).toBe(200);
    expect(balance.body.data).toEqual([{ accountId: account, type: 'booked', amount: sum, currency: 'GBP' }]);

    await t.dataSource.query(`UPDATE apps SET suspended_at = now() WHERE id = $1`, [app.id]);
    try {
      const refused = await eventually(async () => {
        const r = await read(tokens.access_token, path);
        return r.status === 403 && r;
      });
      expect(refused.body).toMatchObject({ status: 403, reason: 'app_suspended' });
    } finally {
      await t.dataSource.query(`UPDATE apps SET suspended_at = NULL WHERE id = $1`, [app.id]);
    }
    await eventually(async () => (await read(tokens.access_token, path)).status === 200);
  });
});
