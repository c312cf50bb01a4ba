import { execFileSync } from 'node:child_process';
import { X509Certificate, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCertificateBinding } from '../src/oauth/client-certificate';
import { bearer } from './harness/actors';
import { BoundResourceModule } from './harness/bound-resource.module';
import { SignedInCustomer, sandboxCustomer } from './harness/consents';
import { approve, oidc, startAuthorization } from './harness/oauth';
import {
  ProductionApp,
  clientCertHeader,
  issueCertificate,
  newKeyAndCsr,
  nodeFetch,
  productionApp,
} from './harness/production';
import { TestApp, freePort, startTestApp } from './harness/test-app';

type Config = Awaited<ReturnType<typeof oidc.discovery>>;

/**
 * Production clients at the authorisation server (SPEC "OAuth 2 authorisation server"): Gatehouse
 * certificates over real TLS on MTLS_PORT and through a trusted proxy's RFC 9440 header, tokens
 * bound to them (RFC 8705), with openid-client as the third-party app.
 */
describe('OAuth: production clients, mutual TLS and certificate-bound tokens', () => {
  let t: TestApp;
  let prod: ProductionApp;
  let alice: SignedInCustomer;
  let ca: string;
  let mtlsPort: number;
  /** The "proxy" connects from 127.0.0.2 (TRUSTED_PROXIES); everyone else from 127.0.0.1. */
  const PROXY = '127.0.0.2';

  beforeAll(async () => {
    mtlsPort = await freePort();
    t = await startTestApp({
      publicUrlIsBaseUrl: true,
      modules: [BoundResourceModule],
      env: {
        SANDBOX_SEED: 'oauth-mtls',
        SANDBOX_CUSTOMERS: '1',
        MTLS_PORT: String(mtlsPort),
        TRUSTED_PROXIES: `${PROXY}/32`,
      },
    });
    prod = await productionApp(t, 'mtls');
    alice = await sandboxCustomer(t, 0);
    ca = (await t.http().get('/v1/ca.pem').expect(200)).text;
  });
  afterAll(() => t.close());

  const issuer = () => `${t.baseUrl}/oauth`;
  const mtlsBase = () => `https://127.0.0.1:${mtlsPort}`;

  /** openid-client as the production app: tls_client_auth over the mTLS aliases with `cert`. */
  async function mtlsApp(cert = prod.certificate): Promise<Config> {
    const config = await oidc.discovery(
      new URL(issuer()),
      prod.clientId,
      { use_mtls_endpoint_aliases: true },
      oidc.TlsClientAuth(),
      { execute: [oidc.allowInsecureRequests] },
    );
    config[oidc.customFetch] = nodeFetch({ cert: cert.cert, key: cert.key, ca }) as never;
    return config;
  }

  /** openid-client as the production app behind a TLS-terminating proxy at `from`, which sends Client-Cert. */
  async function proxiedApp(from: string, cert = prod.certificate): Promise<Config> {
    const config = await oidc.discovery(new URL(issuer()), prod.clientId, {}, oidc.TlsClientAuth(), {
      execute: [oidc.allowInsecureRequests],
    });
    config[oidc.customFetch] = nodeFetch({
      localAddress: from,
      headers: { 'client-cert': clientCertHeader(cert.cert) },
    }) as never;
    return config;
  }

  /** PAR → consent (alice, first account) → code → tokens, all through `config`. */
  async function tokensFor(config: Config) {
    const started = await startAuthorization(config);
    const callback = await approve(t, started, alice);
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
  }

  /** The test resource (what the data API will do) called with `token`, over mTLS with `cert` or plain HTTP. */
  async function resource(
    token: string,
    via: { cert?: { cert: string; key: string }; proxyHeader?: string; from?: string },
  ) {
    const url = via.cert ? `${mtlsBase()}/test/bound-resource` : `${t.baseUrl}/test/bound-resource`;
    const res = await nodeFetch({
      cert: via.cert?.cert,
      key: via.cert?.key,
      ca,
      localAddress: via.from,
      headers: via.proxyHeader ? { 'client-cert': via.proxyHeader } : {},
    })(url, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as { ok: boolean; description?: string };
  }

  it('advertises the mTLS endpoint aliases and certificate-bound tokens in discovery', async () => {
    const discovery = (await t.http().get('/oauth/.well-known/openid-configuration').expect(200)).body;
    expect(discovery.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['tls_client_auth', 'private_key_jwt']),
    );
    expect(discovery.mtls_endpoint_aliases).toEqual({
      token_endpoint: `${mtlsBase()}/oauth/token`,
      pushed_authorization_request_endpoint: `${mtlsBase()}/oauth/request`,
      introspection_endpoint: `${mtlsBase()}/oauth/token/introspection`,
      revocation_endpoint: `${mtlsBase()}/oauth/token/revocation`,
    });
  });

  it('over MTLS_PORT: the certificate authenticates the app and binds its token (cnf.x5t#S256 = thumbprint)', async () => {
    const config = await mtlsApp();
    const tokens = await tokensFor(config);
    expect(tokens.authorization_details).toEqual([
      expect.objectContaining({ type: 'account_access', accountIds: [alice.accounts[0]] }),
    ]);
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: prod.clientId });
    expect(introspected.cnf).toEqual({ 'x5t#S256': prod.certificate.x5tS256 });
    const consent = (await t.dataSource.query(`SELECT environment FROM consents WHERE app_id = $1`, [prod.id])) as {
      environment: string;
    }[];
    expect(consent.map((c) => c.environment)).toEqual(['production']);

    // The resource check: the token with its certificate passes; with another or none it is refused.
    expect(await resource(tokens.access_token, { cert: prod.certificate })).toEqual({ ok: true });
    const other = await issueCertificate(t, prod.dev, prod.id);
    expect(await resource(tokens.access_token, { cert: other })).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(await resource(tokens.access_token, {})).toMatchObject({ ok: false, error: 'invalid_token' });
    // The same, as a function the data API calls.
    const cnf = introspected.cnf as { 'x5t#S256': string };
    expect(checkCertificateBinding(cnf, new X509Certificate(prod.certificate.cert), 'production')).toEqual({
      ok: true,
    });
    expect(checkCertificateBinding(cnf, new X509Certificate(other.cert), 'production').ok).toBe(false);
    expect(checkCertificateBinding(cnf, undefined, 'production').ok).toBe(false);
    expect(checkCertificateBinding(undefined, undefined, 'production').ok).toBe(false);

    // Refresh needs the certificate too, and keeps the binding.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).cnf).toEqual({
      'x5t#S256': prod.certificate.x5tS256,
    });
    // Revocation over the mTLS alias: the consent ends with it.
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(config, refreshed.access_token)).toEqual({ active: false });
    expect(await resource(refreshed.access_token, { cert: prod.certificate })).toMatchObject({ ok: false });
  });

  it('through a trusted proxy: the Client-Cert header authenticates and binds; from anyone else it is ignored', async () => {
    const config = await proxiedApp(PROXY);
    const tokens = await tokensFor(config);
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected.cnf).toEqual({ 'x5t#S256': prod.certificate.x5tS256 });
    const header = clientCertHeader(prod.certificate.cert);
    expect(await resource(tokens.access_token, { proxyHeader: header, from: PROXY })).toEqual({ ok: true });
    // The same header from an address not in TRUSTED_PROXIES is stripped: no certificate at all.
    expect(await resource(tokens.access_token, { proxyHeader: header, from: '127.0.0.1' })).toMatchObject({
      ok: false,
      description: 'this access token needs its client certificate',
    });
    const untrusted = await proxiedApp('127.0.0.1');
    await expect(oidc.buildAuthorizationUrlWithPAR(untrusted, parameters())).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });

  const parameters = () => ({
    redirect_uri: 'https://app.budgetly.co.uk/callback',
    response_type: 'code',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    authorization_details: JSON.stringify([{ type: 'account_access', scopes: ['accounts:read'] }]),
  });

  /** The PAR endpoint's answer to the production client id authenticated by `config`. */
  const pushWith = (config: Config) =>
    oidc.buildAuthorizationUrlWithPAR(config, parameters()).then(
      () => 'accepted',
      // A 401 with a WWW-Authenticate challenge (client_secret_basic) carries the error there.
      (e: { error?: string; cause?: { parameters?: { error?: string } }[] }) =>
        e.error ?? (Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined),
    );

  it('client_secret_basic with the production client id is invalid_client', async () => {
    const credential = await t
      .http()
      .post(`/v1/organisations/${prod.dev.orgId}/apps/${prod.id}/credentials`)
      .set(bearer(prod.dev.token))
      .send({ environment: 'production' });
    expect(credential.status).toBe(201);
    const config = await oidc.discovery(
      new URL(issuer()),
      prod.clientId,
      undefined,
      oidc.ClientSecretBasic(credential.body.clientSecret as string),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect(await pushWith(config)).toBe('invalid_client');
    // Even over the mTLS listener with the app's own certificate.
    config[oidc.customFetch] = nodeFetch({ cert: prod.certificate.cert, key: prod.certificate.key, ca }) as never;
    expect(await pushWith(config)).toBe('invalid_client');
    expect(await pushWith(await mtlsApp())).toBe('accepted');
  });

  it('a certificate that is not the app’s own, not ours, or revoked is invalid_client', async () => {
    // Another production app's certificate.
    const stranger = await productionApp(t, 'mtls-stranger');
    expect(await pushWith(await mtlsApp(stranger.certificate))).toBe('invalid_client');
    // A self-made certificate with the app's SAN URI (not issued by our CA).
    const { key } = newKeyAndCsr();
    const forged = selfSigned(key, prod.clientId);
    expect(await pushWith(await mtlsApp({ ...prod.certificate, cert: forged, key }))).toBe('invalid_client');
    // A certificate of the app's, revoked.
    const revoked = await issueCertificate(t, prod.dev, prod.id);
    expect(await pushWith(await mtlsApp(revoked))).toBe('accepted');
    await t
      .http()
      .post(`/v1/organisations/${prod.dev.orgId}/apps/${prod.id}/certificates/${revoked.id}/revoke`)
      .set(bearer(prod.dev.token))
      .send({ reason: 'keyCompromise' })
      .expect(200);
    expect(await pushWith(await mtlsApp(revoked))).toBe('invalid_client');
    expect(await pushWith(await mtlsApp())).toBe('accepted');
  });

  it('a suspended app is invalid_client, even with its own certificate', async () => {
    const other = await productionApp(t, 'mtls-suspended');
    const as = await oidc.discovery(
      new URL(issuer()),
      other.clientId,
      { use_mtls_endpoint_aliases: true },
      oidc.TlsClientAuth(),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    as[oidc.customFetch] = nodeFetch({ cert: other.certificate.cert, key: other.certificate.key, ca }) as never;
    expect(await pushWith(as)).toBe('accepted');
    await t.dataSource.query(`UPDATE apps SET suspended_at = now(), suspension_reason = 'test' WHERE id = $1`, [
      other.id,
    ]);
    expect(await pushWith(as)).toBe('invalid_client');
  });

  it('private_key_jwt: works with a key of the registered JWKS, fails with an unregistered one; the token stays certificate-bound', async () => {
    const app = await productionApp(t, 'mtls-pkjwt');
    const signing = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const jwk = { ...(await webcrypto.subtle.exportKey('jwk', signing.publicKey)), kid: 'k1' };
    const put = (keys: unknown[]) =>
      t.http().put(`/v1/organisations/${app.dev.orgId}/apps/${app.id}/jwks`).set(bearer(app.dev.token)).send({ keys });
    // A private key is refused whole and nothing is stored.
    const privateJwk = { ...(await webcrypto.subtle.exportKey('jwk', signing.privateKey)), kid: 'k1' };
    const refused = await put([privateJwk]).expect(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([{ field: 'keys[0].d', message: expect.any(String) }]);
    expect(
      (await t.dataSource.query(`SELECT client_jwks FROM apps WHERE id = $1`, [app.id]))[0].client_jwks,
    ).toBeNull();
    await put([jwk]).expect(200);
    const [audit] = (await t.dataSource.query(
      `SELECT after FROM audit_entries WHERE action = 'app.jwks_registered' AND subject_id = $1`,
      [app.id],
    )) as { after: unknown }[];
    expect(audit?.after).toEqual({ keys: [{ kid: 'k1', alg: 'ES256' }] });

    const withKey = async (
      key: webcrypto.CryptoKey,
      kid: string,
      modify?: (header: Record<string, unknown>, payload: Record<string, unknown>) => void,
    ) => {
      const config = await oidc.discovery(
        new URL(issuer()),
        app.clientId,
        { use_mtls_endpoint_aliases: true },
        oidc.PrivateKeyJwt({ key, kid }, modify ? { [oidc.modifyAssertion]: modify } : undefined),
        { execute: [oidc.allowInsecureRequests] },
      );
      config[oidc.customFetch] = nodeFetch({ cert: app.certificate.cert, key: app.certificate.key, ca }) as never;
      return config;
    };
    const config = await withKey(signing.privateKey, 'k1');
    const tokens = await tokensFor(config);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).cnf).toEqual({
      'x5t#S256': app.certificate.x5tS256,
    });
    const stranger = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    expect(await pushWith(await withKey(stranger.privateKey, 'k1'))).toBe('invalid_client');
    // A registered key, but an assertion addressed to someone else (FAPI 2.0: aud is this issuer).
    const misaddressed = await withKey(signing.privateKey, 'k1', (_header, payload) => {
      payload.aud = 'https://another-bank.example/oauth';
    });
    expect(await pushWith(misaddressed)).toBe('invalid_client');
    // The assertion as openid-client sends it is addressed to the issuer.
    let audience: unknown;
    await pushWith(
      await withKey(signing.privateKey, 'k1', (_header, payload) => {
        audience = payload.aud;
      }),
    );
    expect(audience).toBe(issuer());
    // With a JWKS registered the certificate alone no longer authenticates the client.
    const byCertificate = await oidc.discovery(
      new URL(issuer()),
      app.clientId,
      { use_mtls_endpoint_aliases: true },
      oidc.TlsClientAuth(),
      { execute: [oidc.allowInsecureRequests] },
    );
    byCertificate[oidc.customFetch] = nodeFetch({ cert: app.certificate.cert, key: app.certificate.key, ca }) as never;
    expect(await pushWith(byCertificate)).toBe('invalid_client');
  });
});

/** A self-signed certificate for `key` naming `clientId` the way ours do (openssl). */
function selfSigned(keyPem: string, clientId: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-forged-'));
  try {
    writeFileSync(join(dir, 'k.pem'), keyPem);
    return execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-key',
        'k.pem',
        '-subj',
        `/CN=${clientId}`,
        '-addext',
        `subjectAltName=URI:urn:gatehouse:client:${clientId}`,
        '-addext',
        'extendedKeyUsage=clientAuth',
        '-days',
        '1',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
