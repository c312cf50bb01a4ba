import { type CryptoKey, type JWK, SignJWT, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SandboxService } from '../src/customers/sandbox/sandbox.service';
import { CATEGORIES } from '../src/customers/sandbox/sandbox-generator';
import { bearer, developer } from './harness/actors';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const ISSUER = 'https://idp.bank.example/test';
const AUDIENCE = 'gatehouse-test';
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('customers: bearer JWTs and the sandbox bank', () => {
  let t: TestApp;
  /** The bank's identity provider key, configured as CUSTOMER_JWT_PUBLIC_KEY. */
  let bankKey: CryptoKey;

  beforeAll(async () => {
    const bank = await generateKeyPair('ES256', { extractable: true });
    bankKey = bank.privateKey;
    t = await startTestApp({
      env: {
        CUSTOMER_JWT_PUBLIC_KEY: await exportSPKI(bank.publicKey),
        CUSTOMER_JWT_ISSUER: ISSUER,
        CUSTOMER_JWT_AUDIENCE: AUDIENCE,
        SANDBOX_SEED: 'e2e',
        SANDBOX_CUSTOMERS: '3',
      },
    });
  });
  afterAll(() => t.close());

  const sandboxCustomers = async () => (await t.http().get('/dev/customers').expect(200)).body.data;
  const devToken = async (customerId: string) =>
    (await t.http().post('/dev/customer-token').send({ customerId }).expect(200)).body.accessToken as string;

  /** Gatehouse's development key, as a test would sign with it: its file and the `kid` it puts on tokens. */
  async function developmentKey() {
    const [customer] = await sandboxCustomers();
    const kid = decodeProtectedHeader(await devToken(customer.id)).kid!;
    const pem = readFileSync(join(t.config.varDir, 'keys', 'customer-jwt-ed25519.pem'), 'utf8');
    return { kid, key: createPrivateKey(pem) };
  }

  async function signed(
    claims: Record<string, unknown>,
    options: {
      key?: CryptoKey | ReturnType<typeof createPrivateKey>;
      alg?: string;
      kid?: string;
      exp?: string | number;
    } = {},
  ) {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'ES256', ...(options.kid ? { kid: options.kid } : {}) })
      .setIssuedAt();
    if (!('iss' in claims)) jwt.setIssuer(ISSUER);
    if (!('aud' in claims)) jwt.setAudience(AUDIENCE);
    if (!('sub' in claims)) jwt.setSubject('bank-customer-1');
    if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
    else if (!('exp' in claims)) jwt.setExpirationTime('5m');
    return jwt.sign(options.key ?? bankKey);
  }

  async function refused(token: string, reason: RegExp) {
    const res = await t.http().get('/v1/customer/me').set(bearer(token)).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.detail).toMatch(reason);
    return res;
  }

  describe('the sandbox bank', () => {
    it('lists the seeded synthetic customers, each with 2-4 accounts and only SPEC categories', async () => {
      const customers = await sandboxCustomers();
      expect(customers.map((c: { name: string }) => c.name)).toEqual([
        'Sandbox Customer 0001',
        'Sandbox Customer 0002',
        'Sandbox Customer 0003',
      ]);
      for (const c of customers) {
        expect(c.email).toMatch(/@sandbox\.example$/);
        expect(c.accounts).toBeGreaterThanOrEqual(2);
        expect(c.accounts).toBeLessThanOrEqual(4);
      }
      const categories = (await t.dataSource.query('SELECT DISTINCT category FROM sandbox_transactions')) as {
        category: string;
      }[];
      expect(categories.length).toBeGreaterThan(5);
      for (const { category } of categories) expect(CATEGORIES).toContain(category);
    });

    it('seeds idempotently: seeding again adds nothing', async () => {
      const count = async () =>
        ((await t.dataSource.query('SELECT count(*)::int AS n FROM sandbox_transactions')) as [{ n: number }])[0].n;
      const before = await count();
      expect(await t.app.get(SandboxService).seed('e2e', 3, new Date())).toBe(0);
      expect(await count()).toBe(before);
    });

    it('mints no token for an unknown or malformed customer id', async () => {
      await t
        .http()
        .post('/dev/customer-token')
        .send({ customerId: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      await t.http().post('/dev/customer-token').send({ customerId: 'customer-1' }).expect(400);
    });
  });

  describe('signing in', () => {
    it('lets a sandbox customer token reach /v1/customer/me and records the customer', async () => {
      const [customer] = await sandboxCustomers();
      const res = await t
        .http()
        .get('/v1/customer/me')
        .set(bearer(await devToken(customer.id)))
        .expect(200);
      expect(res.body).toMatchObject({ sub: customer.id, email: customer.email });
      const rows = await t.dataSource.query('SELECT id, email FROM customers WHERE sub = $1', [customer.id]);
      expect(rows).toEqual([{ id: res.body.id, email: customer.email }]);
    });

    it("accepts the bank's configured key and keeps the email up to date at each sign-in", async () => {
      const sub = `bank-${randomBytes(4).toString('hex')}`;
      const me = async (claims: Record<string, unknown>) =>
        (
          await t
            .http()
            .get('/v1/customer/me')
            .set(bearer(await signed({ sub, ...claims })))
            .expect(200)
        ).body;
      expect((await me({ email: 'first@bank.example' })).email).toBe('first@bank.example');
      expect((await me({ email: 'second@bank.example' })).email).toBe('second@bank.example');
      // A token without an email keeps the one on file.
      expect((await me({})).email).toBe('second@bank.example');
      const rows = await t.dataSource.query('SELECT email FROM customers WHERE sub = $1', [sub]);
      expect(rows).toEqual([{ email: 'second@bank.example' }]);
    });

    it('refuses a request without a token', async () => {
      const res = await t.http().get('/v1/customer/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('refuses a token signed by another key, with or without the development kid', async () => {
      const stranger = (await generateKeyPair('ES256')).privateKey;
      await refused(await signed({}, { key: stranger }), /not signed by a key Gatehouse trusts/);
      const { kid } = await developmentKey();
      const strangerEd = generateKeyPairSync('ed25519').privateKey;
      await refused(await signed({}, { key: strangerEd, alg: 'EdDSA', kid }), /not signed by a key Gatehouse trusts/);
    });

    it('refuses expired tokens, from the bank key and the development key alike', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      await refused(await signed({}, { exp: past }), /expired/);
      const dev = await developmentKey();
      await refused(await signed({}, { key: dev.key, alg: 'EdDSA', kid: dev.kid, exp: past }), /expired/);
    });

    it('refuses a token without exp', async () => {
      const jwt = await new SignJWT({ sub: 'no-exp' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(bankKey);
      await refused(jwt, /"exp" claim/);
    });

    it('refuses a wrong issuer, from the bank key and the development key alike', async () => {
      await refused(await signed({ iss: 'https://other.example' }), /issuer/);
      const dev = await developmentKey();
      await refused(
        await signed({ iss: 'https://bank.example/sandbox' }, { key: dev.key, alg: 'EdDSA', kid: dev.kid }),
        /issuer/,
      );
    });

    it('refuses a wrong or missing audience', async () => {
      await refused(await signed({ aud: 'someone-else' }), /audience/);
      const jwt = await new SignJWT({ sub: 'no-aud' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(ISSUER)
        .setExpirationTime('5m')
        .sign(bankKey);
      await refused(jwt, /audience|"aud"/);
    });

    it('refuses alg none, HS256 (keyed with the public key) and RS256', async () => {
      const claims = { sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 };
      await refused(`${b64url({ alg: 'none' })}.${b64url(claims)}.`, /signed with ES256, PS256, EdDSA/);
      const dev = await developmentKey();
      const header = b64url({ alg: 'HS256', kid: dev.kid });
      const body = b64url(claims);
      const publicPem = t.config.customerAuth.jwtPublicKey!;
      const mac = createHmac('sha256', publicPem).update(`${header}.${body}`).digest('base64url');
      await refused(`${header}.${body}.${mac}`, /signed with ES256, PS256, EdDSA/);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await refused(await signed({}, { key: rsa, alg: 'RS256' }), /signed with ES256, PS256, EdDSA/);
    });
  });

  describe('kinds of caller stay apart', () => {
    it("refuses a developer's session token on a customer route", async () => {
      const dev = await developer(t, 'cust-route');
      await t.http().get('/v1/customer/me').set(bearer(dev.token)).expect(401);
      expect(await t.dataSource.query('SELECT 1 FROM customers WHERE sub = $1', [dev.id])).toEqual([]);
    });

    it('refuses a customer token on developer routes', async () => {
      const [customer] = await sandboxCustomers();
      const token = await devToken(customer.id);
      await t.http().get('/v1/customer/me').set(bearer(token)).expect(200);
      await t.http().get('/v1/organisations').set(bearer(token)).expect(401);
      await t.http().get('/v1/me').set(bearer(token)).expect(401);
    });
  });

  describe('in production', () => {
    let prod: TestApp;
    beforeAll(async () => {
      prod = await startTestApp({
        sharing: t,
        env: {
          NODE_ENV: 'production',
          GATEHOUSE_ROLE: 'api',
          MASTER_KEY: randomBytes(32).toString('base64'),
          CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64'),
          AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519')
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
          GATEWAY_API_KEY: randomBytes(32).toString('base64url'),
          CSRF_KEY: randomBytes(32).toString('base64'),
          CUSTOMER_JWT_PUBLIC_KEY: t.config.customerAuth.jwtPublicKey!,
          CUSTOMER_JWT_ISSUER: ISSUER,
          CUSTOMER_JWT_AUDIENCE: AUDIENCE,
          OAUTH_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        },
      });
    });
    afterAll(() => prod.close());

    it('has no /dev routes', async () => {
      await prod.http().get('/dev/customers').expect(404);
      const [customer] = await sandboxCustomers();
      await prod.http().post('/dev/customer-token').send({ customerId: customer.id }).expect(404);
    });

    it("accepts the bank's key but not the development key", async () => {
      await prod
        .http()
        .get('/v1/customer/me')
        .set(bearer(await signed({})))
        .expect(200);
      const dev = await developmentKey();
      await prod
        .http()
        .get('/v1/customer/me')
        .set(bearer(await signed({}, { key: dev.key, alg: 'EdDSA', kid: dev.kid })))
        .expect(401);
    });
  });

  /**
   * CUSTOMER_JWKS_URL: the bank's identity provider publishes its keys as a JWKS, served here by a
   * local HTTP server the test controls. Short cache (2 s) and cooldown (1 s) so a rotation is seen
   * within the test; production defaults are in docs/decisions.md.
   */
  describe("from the bank's JWKS", () => {
    const MAX_AGE_S = 2;
    let jwks: TestApp;
    let server: Server;
    let url: string;
    /** What the JWKS endpoint does now: serve these keys, fail with 500, or never answer. */
    let mode: { serve: BankKey[] } | 'error' | 'hang' = { serve: [] };
    let fetches = 0;
    const hanging: ServerResponse[] = [];

    interface BankKey {
      kid: string;
      alg: string;
      privateKey: CryptoKey;
      jwk: JWK;
    }
    const bankKey = async (kid: string, alg: string): Promise<BankKey> => {
      const pair = await generateKeyPair(alg, { extractable: true });
      return {
        kid,
        alg,
        privateKey: pair.privateKey,
        jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' },
      };
    };
    const tokenOf = (k: BankKey, claims: Record<string, unknown> = {}) =>
      signed({ sub: 'jwks-customer', ...claims }, { key: k.privateKey, alg: k.alg, kid: k.kid });
    const me = async (token: string) => t.http().get('/v1/customer/me').set(bearer(token));
    const status = async (token: string) => (await jwks.http().get('/v1/customer/me').set(bearer(token))).status;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches++;
        if (mode === 'hang') {
          hanging.push(res);
          return;
        }
        if (mode === 'error') {
          res.statusCode = 500;
          res.end('identity provider down');
          return;
        }
        res.setHeader('content-type', 'application/jwk-set+json');
        res.end(JSON.stringify({ keys: mode.serve.map((k) => k.jwk) }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      jwks = await startTestApp({
        sharing: t,
        env: {
          CUSTOMER_JWKS_URL: url,
          CUSTOMER_JWT_ISSUER: ISSUER,
          CUSTOMER_JWT_AUDIENCE: AUDIENCE,
          CUSTOMER_JWKS_MAX_AGE_SECONDS: String(MAX_AGE_S),
          CUSTOMER_JWKS_COOLDOWN_SECONDS: '1',
        },
      });
    });
    afterAll(async () => {
      for (const res of hanging) res.destroy();
      if (server.listening) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await jwks.close();
    });

    async function refusedBy(app: TestApp, token: string, reason: RegExp) {
      const res = await app.http().get('/v1/customer/me').set(bearer(token));
      expect([res.status, res.body.detail]).toEqual([401, expect.stringMatching(reason)]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }

    it('accepts a token signed by a key of the set, still checking iss and aud', async () => {
      const k1 = await bankKey('bank-2026-11', 'ES256');
      mode = { serve: [k1] };
      const res = await jwks
        .http()
        .get('/v1/customer/me')
        .set(bearer(await tokenOf(k1)))
        .expect(200);
      expect(res.body).toMatchObject({ sub: 'jwks-customer' });
      expect(fetches).toBeGreaterThanOrEqual(1);
      await refusedBy(jwks, await tokenOf(k1, { iss: 'https://other.example' }), /issuer/);
      await refusedBy(jwks, await tokenOf(k1, { aud: 'someone-else' }), /audience/);
      // The JWKS is the bank's only key here: the app using a public key does not know this one.
      await expect(me(await tokenOf(k1))).resolves.toMatchObject({ status: 401 });
      await refusedBy(
        jwks,
        await signed({}, { key: (await bankKey('stranger', 'ES256')).privateKey, kid: 'bank-2026-11' }),
        /not signed by a key Gatehouse trusts/,
      );
    });

    it('follows a key rotation: refetches for a new kid, refuses a removed key after the refresh', async () => {
      const old = await bankKey('bank-rotate-old', 'ES256');
      const next = await bankKey('bank-rotate-new', 'PS256');
      mode = { serve: [old] };
      await eventually(
        async () => (await status(await tokenOf(old))) === 200 || undefined,
        10_000,
        'the old key accepted',
      );
      // The bank rotates: the new key replaces the old one in the set.
      mode = { serve: [next] };
      const before = fetches;
      // An unknown kid makes Gatehouse refetch the set (at most once per cooldown).
      await eventually(
        async () => (await status(await tokenOf(next))) === 200 || undefined,
        10_000,
        'the new kid accepted',
      );
      expect(fetches).toBeGreaterThan(before);
      // The refreshed set no longer has the old key.
      await refusedBy(jwks, await tokenOf(old), /not signed by a key Gatehouse trusts/);
    });

    it('stops accepting a removed key within the cache age even when no new kid triggers a refetch', async () => {
      const stays = await bankKey('bank-stays', 'EdDSA');
      const leaves = await bankKey('bank-leaves', 'ES256');
      mode = { serve: [stays, leaves] };
      await eventually(
        async () => (await status(await tokenOf(leaves))) === 200 || undefined,
        10_000,
        'both keys served',
      );
      expect(await status(await tokenOf(stays))).toBe(200);
      mode = { serve: [stays] };
      const removedAt = Date.now();
      await eventually(
        async () => (await status(await tokenOf(leaves))) === 401 || undefined,
        15_000,
        'the removed key refused',
      );
      expect(Date.now() - removedAt).toBeLessThan(MAX_AGE_S * 1000 + 3_000);
      expect(await status(await tokenOf(stays))).toBe(200);
    });

    it('refuses with 401 and says the keys are unavailable when the JWKS fails, is slow or is down', async () => {
      const k = await bankKey('bank-outage', 'ES256');
      mode = { serve: [k] };
      await eventually(async () => (await status(await tokenOf(k))) === 200 || undefined, 10_000, 'the key accepted');
      const unavailable = /signing keys could not be fetched/;
      // Once the cached set is too old, each request tries again and is refused while the IdP fails.
      mode = 'error';
      await eventually(async () => (await status(await tokenOf(k))) === 401 || undefined, 15_000, 'refused on a 500');
      await refusedBy(jwks, await tokenOf(k), unavailable);
      mode = 'hang';
      const started = Date.now();
      await refusedBy(jwks, await tokenOf(k), unavailable);
      expect(Date.now() - started).toBeLessThan(6_000);
      mode = { serve: [k] };
      for (const res of hanging.splice(0)) res.destroy();
      await eventually(
        async () => (await status(await tokenOf(k))) === 200 || undefined,
        10_000,
        'accepted once the IdP is back',
      );
      // Down altogether: connection refused.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await eventually(async () => (await status(await tokenOf(k))) === 401 || undefined, 15_000, 'refused while down');
      await refusedBy(jwks, await tokenOf(k), unavailable);
    });
  });
});
