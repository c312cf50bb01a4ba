import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, sandboxCustomer } from './harness/consents';
import {
  REDIRECT_URI,
  accountAccess,
  approve,
  authorize,
  followToApp,
  oidc,
  startAuthorization,
  thirdPartyApp,
} from './harness/oauth';
import { BoundResourceModule } from './harness/bound-resource.module';
import {
  IssuedClientCertificate,
  ProductionApp,
  clientCertHeader,
  issueCertificate,
  nodeFetch,
  productionApp,
  productionThirdPartyApp,
  pushedRequestOutcome,
} from './harness/production';
import { TestApp, freePort, startTestApp } from './harness/test-app';
import { HASHED_SECRET_PLACEHOLDER } from '../src/oauth/oauth-clients';

/**
 * FAPI 2.0 Security Profile as the SPEC lists it ("OAuth 2 authorisation server"): one test per
 * rule, named after it, each driving the real server over HTTP. A rule's test fails when the rule
 * is switched off in src/oauth/oauth-configuration.ts (or the adapter, for single use).
 */
describe('OAuth FAPI 2.0 conformance (sandbox client)', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let config: Awaited<ReturnType<typeof thirdPartyApp>>;
  let basic: string;

  beforeAll(async () => {
    t = await startTestApp({ publicUrlIsBaseUrl: true, env: { SANDBOX_SEED: 'oauth-fapi', SANDBOX_CUSTOMERS: '1' } });
    ({ app } = await consentingApp(t, 'fapi'));
    alice = await sandboxCustomer(t, 0);
    config = await thirdPartyApp(t, app);
    basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
  });
  afterAll(() => t.close());

  const issuer = () => `${t.baseUrl}/oauth`;

  /** A well-formed pushed request, with `overrides` (undefined removes a parameter). */
  const parParams = (overrides: Record<string, string | undefined> = {}) => {
    const params: Record<string, string | undefined> = {
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'xyz',
      authorization_details: JSON.stringify(accountAccess()),
      ...overrides,
    };
    return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  };
  const push = async (overrides: Record<string, string | undefined> = {}) => {
    const res = await fetch(`${issuer()}/request`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: parParams(overrides),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const redeem = (code: string, verifier: string) =>
    oidc.authorizationCodeGrant(config, new URL(`${REDIRECT_URI}?code=${code}&iss=${encodeURIComponent(issuer())}`), {
      pkceCodeVerifier: verifier,
    });
  const expireRow = (model: string, id: string) =>
    t.dataSource.query(
      `UPDATE oauth_models SET expires_at = now() - interval '1 second',
              payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 1))
        WHERE model = $1 AND id = $2`,
      [model, id],
    );

  it('PAR required: an authorization request not pushed first is refused', async () => {
    const url = new URL(`${issuer()}/auth`);
    for (const [k, v] of parParams()) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location') ?? '';
    expect(location).not.toContain('/consent/');
    const error = location
      ? new URL(location).searchParams.get('error')
      : ((await res.json()) as { error: string }).error;
    expect(error).toBe('invalid_request');
    const discovery = (await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.require_pushed_authorization_requests).toBe(true);
  });

  it('PKCE S256 only: no code_challenge, or the plain method, is refused', async () => {
    expect(await push({ code_challenge: undefined, code_challenge_method: undefined })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await push({ code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await push()).toMatchObject({ status: 201 });
  });

  it('response_type=code only: any other response type is refused', async () => {
    for (const responseType of ['code id_token', 'token', 'id_token', 'none']) {
      const res = await push({ response_type: responseType });
      expect([res.status, res.body.error]).toEqual([400, 'unsupported_response_type']);
    }
  });

  it('exact redirect_uri: a variant of a registered URI, or none at all, is refused', async () => {
    for (const redirectUri of [
      `${REDIRECT_URI}/`,
      `${REDIRECT_URI}?x=1`,
      'https://APP.budgetly.co.uk/callback',
      undefined,
    ]) {
      const res = await push({ redirect_uri: redirectUri });
      expect([redirectUri, res.status, res.body.error]).toEqual([redirectUri, 400, 'invalid_request']);
    }
  });

  it('iss in the authorization response (RFC 9207): on success and on access_denied', async () => {
    const { callback } = await authorize(t, config, alice);
    expect(callback.searchParams.get('iss')).toBe(issuer());
    const started = await startAuthorization(config);
    const denied = await t
      .http()
      .post(`/v1/oauth/interactions/${started.uid}/decision`)
      .set(bearer(alice.token))
      .send({ decision: 'deny' })
      .expect(200);
    const back = await followToApp(denied.body.redirectTo, started.cookies);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('iss')).toBe(issuer());
  });

  it('codes single use: a replayed code is invalid_grant and the tokens of its first use die', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const code = callback.searchParams.get('code')!;
    const first = await redeem(code, started.verifier);
    await expect(redeem(code, started.verifier)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await oidc.tokenIntrospection(config, first.access_token)).toEqual({ active: false });
  });

  it('codes live 60 s at most: stored for ≤ 60 s, refused once past it', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const code = callback.searchParams.get('code')!;
    const [row] = (await t.dataSource.query(
      `SELECT extract(epoch from expires_at - now())::float AS left, (payload->>'exp')::int - (payload->>'iat')::int AS ttl
         FROM oauth_models WHERE model = 'AuthorizationCode' AND id = $1`,
      [code],
    )) as { left: number; ttl: number }[];
    expect(row!.ttl).toBeLessThanOrEqual(60);
    expect(row!.left).toBeLessThanOrEqual(60);
    await expireRow('AuthorizationCode', code);
    await expect(redeem(code, started.verifier)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('PAR request_uri lives 60 s at most: expires_in ≤ 60, refused once past it', async () => {
    const res = await push();
    expect(res.status).toBe(201);
    expect(res.body.expires_in).toBeLessThanOrEqual(60);
    const requestUri = res.body.request_uri as string;
    await expireRow('PushedAuthorizationRequest', requestUri.split(':').pop()!);
    const url = new URL(`${issuer()}/auth`);
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('request_uri', requestUri);
    const auth = await fetch(url, { redirect: 'manual' });
    expect(auth.headers.get('location') ?? '').not.toContain('/consent/');
    const error = auth.headers.get('location')
      ? new URL(auth.headers.get('location')!).searchParams.get('error')
      : ((await auth.json()) as { error: string }).error;
    expect(error).toBe('invalid_request_uri');
  });

  it('algorithms PS256, ES256, EdDSA only: in discovery and in the published keys', async () => {
    const discovery = (await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const advertised = Object.entries(discovery).filter(([k]) => k.endsWith('signing_alg_values_supported'));
    expect(advertised.length).toBeGreaterThan(0);
    for (const [, algs] of advertised) {
      for (const alg of algs as string[]) expect(['PS256', 'ES256', 'EdDSA']).toContain(alg);
    }
    const { keys } = (await (await fetch(`${issuer()}/jwks`)).json()) as { keys: { alg: string; d?: string }[] };
    expect(keys.map((k) => [k.alg, k.d])).toEqual([['ES256', undefined]]);
  });

  it('no refresh rotation: a refresh gives no new refresh token and the old one keeps working', async () => {
    const { callback, started } = await authorize(t, config, alice);
    const tokens = await redeem(callback.searchParams.get('code')!, started.verifier);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).resolves.toMatchObject({
      access_token: expect.any(String),
    });
  });

  it('refresh tokens live no longer than the consent', async () => {
    const expiresAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const { callback, started } = await authorize(t, config, alice, { expiresAt });
    const tokens = await redeem(callback.searchParams.get('code')!, started.verifier);
    const [row] = (await t.dataSource.query(
      `SELECT expires_at FROM oauth_models WHERE model = 'RefreshToken' AND id = $1`,
      [tokens.refresh_token],
    )) as { expires_at: Date }[];
    expect(row!.expires_at.getTime()).toBeLessThanOrEqual(Date.parse(expiresAt) + 1000);
  });

  it('unknown authorization_details type refused; account_access validated by its schema', async () => {
    const cases: [string, unknown[]][] = [
      ['an unknown type', [{ type: 'payment_initiation', amount: '10.00' }]],
      ['an unknown field', accountAccess({ accountIds: ['x'] })],
      ['an unknown scope', accountAccess({ scopes: ['accounts:write'] })],
      ['a scope the app did not register', accountAccess({ scopes: ['payees:read'] })],
      ['a window backwards', accountAccess({ transactionWindow: { from: '2026-06-01', to: '2026-01-01' } })],
      ['two account_access details', [...accountAccess(), ...accountAccess()]],
    ];
    for (const [label, details] of cases) {
      const res = await push({ authorization_details: JSON.stringify(details) });
      expect([label, res.status, res.body.error]).toEqual([label, 400, 'invalid_authorization_details']);
    }
    expect((await push({ authorization_details: undefined })).status).toBe(400);
  });

  it('client authentication: a wrong secret, the placeholder the provider holds, or a suspended app is invalid_client', async () => {
    const as = (secret: string) => `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}`;
    const pushAs = async (authorization: string, clientId = app.clientId) =>
      (
        await fetch(`${issuer()}/request`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: parParams({ client_id: clientId }),
        })
      ).json();
    expect(await pushAs(as('not-the-secret'))).toMatchObject({ error: 'invalid_client' });
    expect(await pushAs(as(HASHED_SECRET_PLACEHOLDER))).toMatchObject({ error: 'invalid_client' });
    const { app: other } = await consentingApp(t, 'fapi-suspended');
    const otherBasic = `Basic ${Buffer.from(`${other.clientId}:${other.clientSecret}`).toString('base64')}`;
    expect(await pushAs(otherBasic, other.clientId)).toMatchObject({ request_uri: expect.any(String) });
    await t.dataSource.query(`UPDATE apps SET suspended_at = now() WHERE id = $1`, [other.id]);
    expect(await pushAs(otherBasic, other.clientId)).toMatchObject({ error: 'invalid_client' });
  });

  it('the customer narrows only: widening the request is 422 and creates nothing', async () => {
    const started = await startAuthorization(
      config,
      accountAccess({ transactionWindow: { from: '2026-01-01', to: '2026-03-31' } }),
    );
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM consents`)) as { n: number }[];
    for (const widening of [
      { scopes: ['accounts:read', 'balances:read'] },
      { transactionWindow: { from: '2025-12-01', to: '2026-03-31' } },
      { accountIds: ['00000000-0000-0000-0000-000000000000'] },
    ]) {
      await t
        .http()
        .post(`/v1/oauth/interactions/${started.uid}/decision`)
        .set(bearer(alice.token))
        .send({ decision: 'approve', accountIds: [alice.accounts[0]], ...widening })
        .expect(422);
    }
    const after = (await t.dataSource.query(`SELECT count(*)::int AS n FROM consents`)) as { n: number }[];
    expect(after[0]!.n).toBe(before[0]!.n);
    const callback = await approve(t, started, alice, {
      scopes: ['accounts:read'],
      transactionWindow: { from: '2026-02-01', to: '2026-02-28' },
    });
    const tokens = await redeem(callback.searchParams.get('code')!, started.verifier);
    expect(tokens.authorization_details).toEqual([
      expect.objectContaining({
        scopes: ['accounts:read'],
        transactionWindow: { from: '2026-02-01', to: '2026-02-28' },
      }),
    ]);
  });
});

/**
 * The binding rules (SPEC: "in production every access token is certificate-bound (cnf.x5t#S256,
 * RFC 8705) and refused without the matching certificate"), with a production app over real TLS.
 */
describe('OAuth FAPI 2.0 conformance (production client, RFC 8705 binding)', () => {
  let t: TestApp;
  let prod: ProductionApp;
  let alice: SignedInCustomer;
  let ca: string;
  let mtlsPort: number;
  const PROXY = '127.0.0.2';

  beforeAll(async () => {
    mtlsPort = await freePort();
    t = await startTestApp({
      publicUrlIsBaseUrl: true,
      modules: [BoundResourceModule],
      env: {
        SANDBOX_SEED: 'oauth-fapi-prod',
        SANDBOX_CUSTOMERS: '1',
        MTLS_PORT: String(mtlsPort),
        TRUSTED_PROXIES: PROXY,
      },
    });
    prod = await productionApp(t, 'fapi-prod');
    alice = await sandboxCustomer(t, 0);
    ca = (await t.http().get('/v1/ca.pem').expect(200)).text;
  });
  afterAll(() => t.close());

  const tokensFor = async (config: Awaited<ReturnType<typeof productionThirdPartyApp>>) => {
    const started = await startAuthorization(config);
    const callback = await approve(t, started, alice);
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
  };
  /** The bound resource's verdict on `token`, over mTLS with `cert`, or plain HTTP from `from` with `header`. */
  const resource = async (token: string, via: { cert?: IssuedClientCertificate; header?: string; from?: string }) => {
    const url = via.cert ? `https://127.0.0.1:${mtlsPort}/test/bound-resource` : `${t.baseUrl}/test/bound-resource`;
    const res = await nodeFetch({
      cert: via.cert?.cert,
      key: via.cert?.key,
      ca,
      localAddress: via.from,
      headers: via.header ? { 'client-cert': via.header } : {},
    })(url, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { ok: boolean }).ok;
  };

  it('binding: every production access token is certificate-bound, cnf.x5t#S256 = SHA-256 of the client certificate', async () => {
    const config = await productionThirdPartyApp(t, prod.clientId, prod.certificate, ca);
    const tokens = await tokensFor(config);
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected.cnf).toEqual({ 'x5t#S256': prod.certificate.x5tS256 });
    const discovery = (await t.http().get('/oauth/.well-known/openid-configuration').expect(200)).body;
    expect(discovery.tls_client_certificate_bound_access_tokens).toBe(true);
  });

  it('binding: a bound token is refused without its certificate or with another one', async () => {
    const config = await productionThirdPartyApp(t, prod.clientId, prod.certificate, ca);
    const { access_token: token } = await tokensFor(config);
    const another = await issueCertificate(t, prod.dev, prod.id);
    expect(await resource(token, { cert: prod.certificate })).toBe(true);
    expect(await resource(token, { cert: another })).toBe(false);
    expect(await resource(token, {})).toBe(false);
  });

  it('binding: a production client id never authenticates with a client secret', async () => {
    const credential = await t
      .http()
      .post(`/v1/organisations/${prod.dev.orgId}/apps/${prod.id}/credentials`)
      .set(bearer(prod.dev.token))
      .send({ environment: 'production' })
      .expect(201);
    const bySecret = await productionThirdPartyApp(
      t,
      prod.clientId,
      prod.certificate,
      ca,
      oidc.ClientSecretBasic(credential.body.clientSecret as string),
    );
    expect(await pushedRequestOutcome(bySecret)).toBe('invalid_client');
  });

  it('binding: the certificate must be a live Gatehouse certificate of the app (not self-made, not revoked)', async () => {
    const revoked = await issueCertificate(t, prod.dev, prod.id);
    expect(await pushedRequestOutcome(await productionThirdPartyApp(t, prod.clientId, revoked, ca))).toBe('accepted');
    await t
      .http()
      .post(`/v1/organisations/${prod.dev.orgId}/apps/${prod.id}/certificates/${revoked.id}/revoke`)
      .set(bearer(prod.dev.token))
      .send({ reason: 'keyCompromise' })
      .expect(200);
    expect(await pushedRequestOutcome(await productionThirdPartyApp(t, prod.clientId, revoked, ca))).toBe(
      'invalid_client',
    );
  });

  it('binding: the Client-Cert header counts only from TRUSTED_PROXIES', async () => {
    const config = await productionThirdPartyApp(t, prod.clientId, prod.certificate, ca);
    const { access_token: token } = await tokensFor(config);
    const header = clientCertHeader(prod.certificate.cert);
    expect(await resource(token, { header, from: PROXY })).toBe(true);
    expect(await resource(token, { header, from: '127.0.0.1' })).toBe(false);
  });
});
