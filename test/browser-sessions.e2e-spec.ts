import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Response } from 'supertest';
import { SESSION_POLICY } from '../src/accounts/sessions.service';
import { BrowserSessions } from '../src/auth/browser-sessions';
import { Actor, PASSWORD, admin, bearer, developer, login, nextCode, staff } from './harness/actors';
import { consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { productionEnv } from './harness/production-env';
import { TestApp, startTestApp } from './harness/test-app';

/** The Set-Cookie lines of an answer, by cookie name: `{ value, attributes }` with attributes as written. */
function setCookies(res: Response): Record<string, { value: string; attributes: string[] }> {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const out: Record<string, { value: string; attributes: string[] }> = {};
  for (const line of raw ?? []) {
    const [pair, ...attributes] = line.split('; ');
    const at = pair!.indexOf('=');
    out[pair!.slice(0, at)] = { value: decodeURIComponent(pair!.slice(at + 1)), attributes: attributes.sort() };
  }
  return out;
}

/** The attributes a browser-session cookie must carry, sorted as setCookies() returns them. */
function expectedAttributes(maxAge: number, { httpOnly, secure }: { httpOnly: boolean; secure: boolean }): string[] {
  return [
    ...(httpOnly ? ['HttpOnly'] : []),
    `Max-Age=${maxAge}`,
    'Path=/',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].sort();
}

/** Max-Age is whole seconds left, so a second may tick between the server's clock and ours. */
function maxAgeOf(attributes: string[]): number {
  return Number(attributes.find((a) => a.startsWith('Max-Age='))!.slice('Max-Age='.length));
}

interface BrowserSignIn {
  /** The Cookie header the browser would send back. */
  cookie: string;
  csrfToken: string;
  expiresAt: string;
  res: Response;
}

async function cookieLogin(t: TestApp, email: string, totp?: string): Promise<BrowserSignIn> {
  const res = await t
    .http()
    .post('/v1/auth/login')
    .send({ email, password: PASSWORD, session: 'cookie', ...(totp ? { totp } : {}) })
    .expect(200);
  const cookies = setCookies(res);
  return {
    cookie: `gh_session=${cookies.gh_session!.value}; gh_csrf=${cookies.gh_csrf!.value}`,
    csrfToken: res.body.csrfToken,
    expiresAt: res.body.expiresAt,
    res,
  };
}

const ORGANISATION = {
  legalName: 'Cookie Jar Ltd',
  registrationNumber: '12345678',
  country: 'GB',
  registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
  regulatoryStatus: { type: 'unregulated' },
};

describe('browser sessions (HttpOnly cookie + CSRF token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const organisationsOf = async (dev: Actor) =>
    ((await t.http().get('/v1/organisations').set(bearer(dev.token)).expect(200)).body.data as unknown[]).length;

  describe('developers and staff', () => {
    it('sets gh_session (HttpOnly) and gh_csrf (readable) with exactly the agreed flags; the token never reaches the body', async () => {
      const dev = await developer(t, 'flags');
      const signIn = await cookieLogin(t, dev.email);
      expect(Object.keys(signIn.res.body).sort()).toEqual(['csrfToken', 'expiresAt']);
      expect(JSON.stringify(signIn.res.body)).not.toContain('gatehouse_session_');
      const cookies = setCookies(signIn.res);
      expect(Object.keys(cookies).sort()).toEqual(['gh_csrf', 'gh_session']);
      expect(cookies.gh_session!.value).toMatch(/^gatehouse_session_[A-Za-z0-9_-]{48}$/);
      expect(cookies.gh_csrf!.value).toBe(signIn.csrfToken);
      expect(signIn.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const lifetime = SESSION_POLICY.developer.absoluteMs / 1000;
      const maxAge = maxAgeOf(cookies.gh_session!.attributes);
      expect(maxAge).toBeGreaterThanOrEqual(lifetime - 2);
      expect(maxAge).toBeLessThanOrEqual(lifetime);
      // NODE_ENV=test: no Secure (plain http on localhost); the production instance below checks it.
      expect(cookies.gh_session!.attributes).toEqual(expectedAttributes(maxAge, { httpOnly: true, secure: false }));
      expect(cookies.gh_csrf!.attributes).toEqual(
        expectedAttributes(maxAgeOf(cookies.gh_csrf!.attributes), { httpOnly: false, secure: false }),
      );
      expect(Math.abs(Date.parse(signIn.expiresAt) - (Date.now() + maxAge * 1000))).toBeLessThan(3000);

      const me = await t.http().get('/v1/me').set('Cookie', signIn.cookie).expect(200);
      expect(me.body).toMatchObject({ email: dev.email, kind: 'developer' });
    });

    it('refuses a cookie-authenticated write without, with a wrong or with another session’s X-CSRF-Token (403, nothing created); the right one works', async () => {
      const dev = await developer(t, 'csrf');
      const signIn = await cookieLogin(t, dev.email);
      const other = await cookieLogin(t, (await developer(t, 'csrf-other')).email);
      const sameUserOtherSession = await cookieLogin(t, dev.email);
      expect(sameUserOtherSession.csrfToken).not.toBe(signIn.csrfToken);

      const attempts: [string, string | undefined][] = [
        ['no header', undefined],
        ['empty', ''],
        ['the cookie name', 'gh_csrf'],
        ['a wrong token of the right shape', randomBytes(32).toString('base64url')],
        ['another user’s session', other.csrfToken],
        ['another session of the same user', sameUserOtherSession.csrfToken],
      ];
      for (const [why, csrf] of attempts) {
        const req = t.http().post('/v1/organisations').set('Cookie', signIn.cookie);
        if (csrf !== undefined) req.set('X-CSRF-Token', csrf);
        const res = await req.send(ORGANISATION);
        expect({ why, status: res.status, type: res.headers['content-type'] }).toEqual({
          why,
          status: 403,
          type: expect.stringContaining('application/problem+json'),
        });
        expect(res.body).toMatchObject({ type: 'urn:gatehouse:problem:csrf-failed', status: 403 });
      }
      expect(await organisationsOf(dev)).toBe(0);

      await t
        .http()
        .post('/v1/organisations')
        .set('Cookie', signIn.cookie)
        .set('X-CSRF-Token', signIn.csrfToken)
        .send(ORGANISATION)
        .expect(201);
      expect(await organisationsOf(dev)).toBe(1);
    });

    it('leaves bearer clients as they were: a token in the answer, writes without CSRF, and the header wins over cookies', async () => {
      const dev = await developer(t, 'bearer');
      const res = await t.http().post('/v1/auth/login').send({ email: dev.email, password: PASSWORD }).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresAt']);
      expect(res.headers['set-cookie']).toBeUndefined();
      await t.http().post('/v1/organisations').set(bearer(res.body.accessToken)).send(ORGANISATION).expect(201);

      // A browser signed in as someone else: the bearer header decides who is asking, and needs no CSRF token.
      const browser = await cookieLogin(t, (await developer(t, 'bystander')).email);
      const me = await t
        .http()
        .get('/v1/me')
        .set('Cookie', browser.cookie)
        .set(bearer(res.body.accessToken))
        .expect(200);
      expect(me.body.email).toBe(dev.email);
      await t
        .http()
        .post('/v1/organisations')
        .set('Cookie', browser.cookie)
        .set(bearer(res.body.accessToken))
        .send({ ...ORGANISATION, legalName: 'Second Jar Ltd' })
        .expect(201);
      expect(await organisationsOf(dev)).toBe(2);
      // A malformed header is not rescued by the cookie.
      await t.http().get('/v1/me').set('Cookie', browser.cookie).set('Authorization', 'Basic abc').expect(401);
    });

    it('refuses to start a cookie session from a form-encoded body (415), creating no session', async () => {
      const dev = await developer(t, 'form');
      const sessions = async () =>
        Number(
          (
            (await t.dataSource.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [dev.id])) as {
              n: number;
            }[]
          )[0]!.n,
        );
      const before = await sessions();
      const res = await t
        .http()
        .post('/v1/auth/login')
        .type('form')
        .send({ email: dev.email, password: PASSWORD, session: 'cookie' })
        .expect(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await sessions()).toBe(before);
      await t
        .http()
        .post('/v1/auth/login')
        .send({ email: dev.email, password: PASSWORD, session: 'bearer' })
        .expect(400);
    });

    it('signs staff in with TOTP the same way, and their cookie opens staff routes', async () => {
      const boss = await admin(t);
      const signIn = await cookieLogin(t, boss.email, nextCode(boss.totpSecret!));
      const cookies = setCookies(signIn.res);
      const lifetime = SESSION_POLICY.staff.absoluteMs / 1000;
      expect(maxAgeOf(cookies.gh_session!.attributes)).toBeGreaterThanOrEqual(lifetime - 2);
      expect(maxAgeOf(cookies.gh_session!.attributes)).toBeLessThanOrEqual(lifetime);
      await t.http().get('/v1/admin/staff').set('Cookie', signIn.cookie).expect(200);

      // Staff without MFA enrolled may only enrol: with the cookie, and the CSRF token on the writes.
      const fresh = await staff(t, 'reviewer', false);
      const enrol = await cookieLogin(t, fresh.email);
      await t.http().get('/v1/admin/staff').set('Cookie', enrol.cookie).expect(403);
      await t.http().post('/v1/auth/mfa/totp/setup').set('Cookie', enrol.cookie).expect(403);
      const setup = await t
        .http()
        .post('/v1/auth/mfa/totp/setup')
        .set('Cookie', enrol.cookie)
        .set('X-CSRF-Token', enrol.csrfToken)
        .expect(200);
      expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    });

    it('logs out (with the CSRF token) by ending the session and clearing both cookies', async () => {
      const dev = await developer(t, 'logout');
      const signIn = await cookieLogin(t, dev.email);
      await t.http().post('/v1/auth/logout').set('Cookie', signIn.cookie).expect(403);
      await t.http().get('/v1/me').set('Cookie', signIn.cookie).expect(200);

      const res = await t
        .http()
        .post('/v1/auth/logout')
        .set('Cookie', signIn.cookie)
        .set('X-CSRF-Token', signIn.csrfToken)
        .expect(204);
      const cleared = setCookies(res);
      expect(cleared).toEqual({
        gh_session: { value: '', attributes: expectedAttributes(0, { httpOnly: true, secure: false }) },
        gh_csrf: { value: '', attributes: expectedAttributes(0, { httpOnly: false, secure: false }) },
      });
      await t.http().get('/v1/me').set('Cookie', signIn.cookie).expect(401);
      // Bearer logout still works as before.
      const token = await login(t, dev.email);
      await t.http().post('/v1/auth/logout').set(bearer(token)).expect(204);
      await t.http().get('/v1/me').set(bearer(token)).expect(401);
    });
  });

  describe('customers', () => {
    async function customerSession(token: string) {
      const res = await t.http().post('/v1/customer/session').send({ token }).expect(200);
      const cookies = setCookies(res);
      return {
        res,
        cookies,
        cookie: `gh_customer=${cookies.gh_customer!.value}; gh_customer_csrf=${cookies.gh_customer_csrf!.value}`,
        csrfToken: res.body.csrfToken as string,
      };
    }

    it('starts a session from a verified customer JWT with the agreed flags, and refuses a bad one (401, no cookie)', async () => {
      const customer = await sandboxCustomer(t, 0);
      const session = await customerSession(customer.token);
      const exp = decodeJwt(customer.token).exp!;
      expect(session.res.body).toEqual({
        sub: customer.sandboxId,
        expiresAt: new Date(exp * 1000).toISOString(),
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(session.cookies.gh_customer!.value).toBe(customer.token);
      expect(session.cookies.gh_customer_csrf!.value).toBe(session.csrfToken);
      const maxAge = maxAgeOf(session.cookies.gh_customer!.attributes);
      expect(Math.abs(maxAge - (exp - Date.now() / 1000))).toBeLessThan(3);
      expect(session.cookies.gh_customer!.attributes).toEqual(
        expectedAttributes(maxAge, { httpOnly: true, secure: false }),
      );
      expect(session.cookies.gh_customer_csrf!.attributes).toEqual(
        expectedAttributes(maxAgeOf(session.cookies.gh_customer_csrf!.attributes), { httpOnly: false, secure: false }),
      );

      const who = await t.http().get('/v1/customer/session').set('Cookie', session.cookie).expect(200);
      expect(who.body).toEqual({ sub: customer.sandboxId });
      await t.http().get('/v1/customer/session').expect(401);

      const [header, payload] = customer.token.split('.');
      const forged = `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
      const refused = await t.http().post('/v1/customer/session').send({ token: forged }).expect(401);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.headers['set-cookie']).toBeUndefined();
      await t.http().post('/v1/customer/session').send({ token: 'not a jwt' }).expect(400);
      await t.http().post('/v1/customer/session').type('form').send({ token: customer.token }).expect(415);
    });

    it('refuses a cookie-authenticated customer write without the right X-CSRF-Token, and the consent stays active', async () => {
      const { app } = await consentingApp(t, 'cookie-consents');
      const alice = await sandboxCustomer(t, 1);
      const bob = await sandboxCustomer(t, 2);
      const consent = await grantConsent(t, app, alice);
      const session = await customerSession(alice.token);
      const bobs = await customerSession(bob.token);
      const status = async () =>
        (await t.http().get(`/v1/customer/consents/${consent.id}`).set('Cookie', session.cookie).expect(200)).body
          .status;

      for (const csrf of [undefined, randomBytes(32).toString('base64url'), bobs.csrfToken]) {
        const req = t.http().delete(`/v1/customer/consents/${consent.id}`).set('Cookie', session.cookie);
        if (csrf !== undefined) req.set('X-CSRF-Token', csrf);
        const res = await req;
        expect(res.status).toBe(403);
        expect(res.body.type).toBe('urn:gatehouse:problem:csrf-failed');
      }
      // The developer session's CSRF token for the same browser is not the customer's either.
      const dev = await cookieLogin(t, (await developer(t, 'cross-kind')).email);
      await t
        .http()
        .delete(`/v1/customer/consents/${consent.id}`)
        .set('Cookie', `${session.cookie}; ${dev.cookie}`)
        .set('X-CSRF-Token', dev.csrfToken)
        .expect(403);
      expect(await status()).toBe('active');

      await t
        .http()
        .delete(`/v1/customer/consents/${consent.id}`)
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .expect(204);
      expect(await status()).toBe('revoked');
    });

    it('keeps the two kinds apart and ends the customer session by clearing its cookies', async () => {
      const customer = await sandboxCustomer(t, 3);
      const session = await customerSession(customer.token);
      const dev = await cookieLogin(t, (await developer(t, 'apart')).email);
      await t.http().get('/v1/me').set('Cookie', session.cookie).expect(401);
      await t.http().get('/v1/customer/session').set('Cookie', dev.cookie).expect(401);
      // A bearer customer token wins over the cookie.
      const other = await sandboxCustomer(t, 4);
      const who = await t.http().get('/v1/customer/session').set('Cookie', session.cookie).set(bearer(other.token));
      expect(who.body).toEqual({ sub: other.sandboxId });

      await t.http().delete('/v1/customer/session').set('Cookie', session.cookie).expect(403);
      const res = await t
        .http()
        .delete('/v1/customer/session')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .expect(204);
      expect(setCookies(res)).toEqual({
        gh_customer: { value: '', attributes: expectedAttributes(0, { httpOnly: true, secure: false }) },
        gh_customer_csrf: { value: '', attributes: expectedAttributes(0, { httpOnly: false, secure: false }) },
      });
    });
  });

  describe('in production', () => {
    let prod: TestApp;
    beforeAll(async () => {
      prod = await startTestApp({ sharing: t, env: productionEnv() });
    });
    afterAll(() => prod.close());

    it('marks both cookies Secure, and its CSRF tokens come from its own CSRF_KEY', async () => {
      const dev = await developer(t, 'secure');
      const res = await prod
        .http()
        .post('/v1/auth/login')
        .send({ email: dev.email, password: PASSWORD, session: 'cookie' })
        .expect(200);
      const cookies = setCookies(res);
      for (const [name, httpOnly] of [
        ['gh_session', true],
        ['gh_csrf', false],
      ] as const) {
        expect(cookies[name]!.attributes).toEqual(
          expectedAttributes(maxAgeOf(cookies[name]!.attributes), { httpOnly, secure: true }),
        );
      }
      const cookie = `gh_session=${cookies.gh_session!.value}`;
      // The token the development key would give this session is refused: production signs with CSRF_KEY.
      const developmentToken = t.app.get(BrowserSessions).csrfToken('session', cookies.gh_session!.value);
      expect(developmentToken).not.toBe(res.body.csrfToken);
      await prod
        .http()
        .post('/v1/organisations')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', developmentToken)
        .send(ORGANISATION)
        .expect(403);
      await prod
        .http()
        .post('/v1/organisations')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', res.body.csrfToken)
        .send(ORGANISATION)
        .expect(201);
    });
  });
});
