import { ACCESS_TOKEN_RESOLVER, AccessTokenResolver } from '../src/consents/ports';
import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, sandboxCustomer } from './harness/consents';
import {
  REDIRECT_URI,
  accountAccess,
  authorize,
  followToApp,
  oidc,
  startAuthorization,
  thirdPartyApp,
} from './harness/oauth';
import { TestApp, startTestApp } from './harness/test-app';

describe('OAuth: the sandbox flow with openid-client as the third-party app', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let config: Awaited<ReturnType<typeof thirdPartyApp>>;

  beforeAll(async () => {
    t = await startTestApp({ publicUrlIsBaseUrl: true, env: { SANDBOX_SEED: 'oauth-e2e', SANDBOX_CUSTOMERS: '2' } });
    ({ app } = await consentingApp(t, 'oauth'));
    alice = await sandboxCustomer(t, 0);
    config = await thirdPartyApp(t, app);
  });
  afterAll(() => t.close());

  it('serves discovery at both addresses with the issuer ${PUBLIC_URL}/oauth', async () => {
    const a = await t.http().get('/oauth/.well-known/openid-configuration').expect(200);
    const b = await t.http().get('/.well-known/oauth-authorization-server/oauth').expect(200);
    expect(a.body.issuer).toBe(`${t.baseUrl}/oauth`);
    expect(b.body).toEqual(a.body);
    expect(a.body.pushed_authorization_request_endpoint).toBe(`${t.baseUrl}/oauth/request`);
    // No MTLS_PORT here: no mTLS aliases advertised.
    expect(a.body.mtls_endpoint_aliases).toBeUndefined();
    const forged = await t
      .http()
      .get('/oauth/.well-known/openid-configuration')
      .set('host', 'evil.example')
      .set('x-forwarded-host', 'evil.example')
      .set('x-forwarded-proto', 'https')
      .expect(200);
    expect(forged.body).toEqual(a.body);
  });

  it('PAR + PKCE + RAR → consent API picking one account → code → tokens naming the consent', async () => {
    const started = await startAuthorization(config);
    const shown = await t.http().get(`/v1/oauth/interactions/${started.uid}`).set(bearer(alice.token)).expect(200);
    expect(shown.body).toMatchObject({
      app: { name: 'Budgetly' },
      scopes: [
        { scope: 'accounts:read', title: 'Accounts' },
        { scope: 'transactions:read', title: 'Transactions' },
      ],
      transactionWindow: null,
    });
    expect(shown.body.accounts.map((a: { id: string }) => a.id).sort()).toEqual([...alice.accounts].sort());
    const decided = await t
      .http()
      .post(`/v1/oauth/interactions/${started.uid}/decision`)
      .set(bearer(alice.token))
      .send({ decision: 'approve', accountIds: [alice.accounts[0]] })
      .expect(200);
    const callback = await followToApp(decided.body.redirectTo, started.cookies);
    expect(callback.searchParams.get('iss')).toBe(`${t.baseUrl}/oauth`);

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const details = tokens.authorization_details as unknown as { consentId: string; accountIds: string[] }[];
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({
      type: 'account_access',
      accountIds: [alice.accounts[0]],
      scopes: ['accounts:read', 'transactions:read'],
    });
    const consent = await t
      .http()
      .get(`/v1/customer/consents/${details[0]!.consentId}`)
      .set(bearer(alice.token))
      .expect(200);
    expect(consent.body).toMatchObject({
      status: 'active',
      appId: app.id,
      constraints: { accountIds: [alice.accounts[0]] },
    });

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: app.clientId });
    expect(introspected.authorization_details).toEqual(details);
  });

  it('refuses a replayed code', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const opts = { pkceCodeVerifier: started.verifier, expectedState: started.state };
    await oidc.authorizationCodeGrant(config, callback, opts);
    await expect(oidc.authorizationCodeGrant(config, callback, opts)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives exactly one token to 20 concurrent redemptions of one code', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const code = callback.searchParams.get('code')!;
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${t.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: started.verifier,
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { access_token?: string; error?: string },
        })),
      ),
    );
    const winners = results.filter((r) => r.body.access_token);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 400).every((r) => r.body.error === 'invalid_grant')).toBe(true);
  });

  it('revoking the consent from the customer API: introspection inactive, refresh refused', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const resolver = t.app.get<AccessTokenResolver>(ACCESS_TOKEN_RESOLVER);
    expect(await resolver.resolve(tokens.access_token)).toEqual({ consentId, clientId: app.clientId });
    await t.http().delete(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(204);
    expect(await resolver.resolve(tokens.access_token)).toBeUndefined();
    // The grant and every token of it are gone (CONSENT_GRANT_REVOKER), not merely refused.
    expect(
      await t.dataSource.query(`SELECT model FROM oauth_models WHERE grant_id = $1 OR id = $1`, [consentId]),
    ).toEqual([]);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('tokens and introspection carry the consent as it is now: narrowed after the grant', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    await t
      .http()
      .patch(`/v1/customer/consents/${consentId}`)
      .set(bearer(alice.token))
      .send({ scopes: ['accounts:read'], categories: ['groceries'] })
      .expect(200);
    const narrowed = [expect.objectContaining({ consentId, scopes: ['accounts:read'], categories: ['groceries'] })];
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).authorization_details).toEqual(narrowed);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).authorization_details).toEqual(narrowed);
  });

  it('a second API process sees the revocation at once (no state outside PostgreSQL)', async () => {
    const second = await startTestApp({ sharing: t, env: { GATEHOUSE_ROLE: 'api', PUBLIC_URL: t.baseUrl } });
    try {
      const { callback, started } = await authorize(t, config, alice);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
      });
      const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
      const introspectAtSecond = async () =>
        (await (
          await fetch(`${second.baseUrl}/oauth/token/introspection`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({ token: tokens.access_token }),
          })
        ).json()) as { active: boolean };
      expect(await introspectAtSecond()).toMatchObject({ active: true });
      await t.http().delete(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(204);
      expect(await introspectAtSecond()).toEqual({ active: false });
    } finally {
      await second.close();
    }
  });

  it('revoking the refresh token at /oauth/revoke revokes the consent (by the app)', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    const consent = await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200);
    expect(consent.body).toMatchObject({ status: 'revoked', revokedBy: 'app' });
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    const rows = (await t.dataSource.query(`SELECT model FROM oauth_models WHERE grant_id = $1 OR id = $1`, [
      consentId,
    ])) as unknown[];
    expect(rows).toEqual([]);
  });

  it("another app cannot introspect or revoke this app's tokens", async () => {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const { app: other } = await consentingApp(t, 'oauth-other');
    const otherConfig = await thirdPartyApp(t, other);
    expect(await oidc.tokenIntrospection(otherConfig, tokens.access_token)).toEqual({ active: false });
    // RFC 7009: 200 whatever the token, but nothing is revoked.
    await oidc.tokenRevocation(otherConfig, tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true });
  });

  it('the consent API: customers only, 404 for an unknown or already decided request', async () => {
    const started = await startAuthorization(config, accountAccess({ scopes: ['accounts:read'] }));
    const url = `/v1/oauth/interactions/${started.uid}`;
    await t.http().get(url).expect(401);
    await t.http().get('/v1/oauth/interactions/not-a-request').set(bearer(alice.token)).expect(404);
    await t.http().post(`${url}/decision`).set(bearer(alice.token)).send({ decision: 'maybe' }).expect(400);
    await t.http().post(`${url}/decision`).set(bearer(alice.token)).send({ decision: 'approve' }).expect(400);
    await t.http().post(`${url}/decision`).set(bearer(alice.token)).send({ decision: 'deny' }).expect(200);
    await t.http().get(url).set(bearer(alice.token)).expect(404);
    await t
      .http()
      .post(`${url}/decision`)
      .set(bearer(alice.token))
      .send({ decision: 'approve', accountIds: [alice.accounts[0]] })
      .expect(404);
  });

  it('expired rows are invisible at once and deleted by later writes', async () => {
    await t.dataSource.query(
      `INSERT INTO oauth_models (model, id, payload, expires_at) VALUES ('Session', 'stale', '{}', now() - interval '1 minute')`,
    );
    await authorize(t, config, alice);
    expect(await t.dataSource.query(`SELECT id FROM oauth_models WHERE expires_at < now()`)).toEqual([]);
  });

  it('two decisions on one request at once: one wins, and an approval creates one consent', async () => {
    const started = await startAuthorization(config);
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM consents`)) as { n: number }[];
    const answers = await Promise.all(
      [0, 1].map(() =>
        t
          .http()
          .post(`/v1/oauth/interactions/${started.uid}/decision`)
          .set(bearer(alice.token))
          .send({ decision: 'approve', accountIds: [alice.accounts[0]] }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    const raced = await startAuthorization(config);
    const mixed = await Promise.all(
      [{ decision: 'approve', accountIds: [alice.accounts[0]] }, { decision: 'deny' }].map((body) =>
        t.http().post(`/v1/oauth/interactions/${raced.uid}/decision`).set(bearer(alice.token)).send(body),
      ),
    );
    expect(mixed.map((a) => a.status).sort()).toEqual([200, 404]);
    const approved = mixed[0]!.status === 200 ? 1 : 0;
    const after = (await t.dataSource.query(`SELECT count(*)::int AS n FROM consents`)) as { n: number }[];
    expect(after[0]!.n).toBe(before[0]!.n + 1 + approved);
  });
});
