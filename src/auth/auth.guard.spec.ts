import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import {
  Authenticated,
  Customer,
  Developer,
  OrganisationMember,
  OrganisationMemberOrStaff,
  Public,
  Staff,
} from './access.decorator';
import { AuthGuard } from './auth.guard';
import { BrowserSessions } from './browser-sessions';
import { CustomerAuthenticator, OrganisationMembership, SessionAuthenticator } from './ports';
import { AuthenticatedRequest, Principal } from './principal';
import { RateLimiter } from './rate-limiter';
import type { AppConfig } from '../config/config';
import { OrganisationRole, StaffRole } from './roles';

const ORG = '6f1c1e9e-6c2b-4a43-9e0f-5f6d4f7a0b1c';
const OTHER_ORG = '0b7e8f52-3f0a-4a44-8d3e-2a1c9d4e5f60';

class Routes {
  undeclared() {}
  @Public() open() {}
  @Authenticated() signedIn() {}
  @Authenticated({ beforeMfa: true }) mfaSetup() {}
  @Developer() developerOnly() {}
  @Developer({ verifiedEmail: true }) verifiedDeveloper() {}
  @Staff() anyStaff() {}
  @Staff('senior_reviewer', 'admin') seniorStaff() {}
  @OrganisationMember() anyMember() {}
  @OrganisationMember('owner', 'admin') ownerOrAdmin() {}
  @OrganisationMemberOrStaff() memberOrStaff() {}
  @Customer() customerOnly() {}
}
type Route = Exclude<keyof Routes, 'constructor'>;

const base = { email: 'x@example.com', name: 'X', emailVerified: true, mfaEnrolled: false, mfaVerified: false };
const developer = (id: string, emailVerified = true): Principal => ({
  ...base,
  userId: `u-${id}`,
  sessionId: `s-${id}`,
  kind: 'developer',
  staffRole: null,
  emailVerified,
});
const staff = (id: string, staffRole: StaffRole, mfa: boolean): Principal => ({
  ...base,
  userId: `u-${id}`,
  sessionId: `s-${id}`,
  kind: 'staff',
  staffRole,
  mfaEnrolled: mfa,
  mfaVerified: mfa,
});
const PRINCIPALS: Record<string, Principal> = {
  dev: developer('dev'),
  unverifiedDev: developer('new', false),
  reviewer: staff('rev', 'reviewer', true),
  admin: staff('adm', 'admin', true),
  staffNoMfa: staff('nomfa', 'admin', false),
  busy: developer('busy'),
};
/** Tokens are the principal's name padded to the guard's minimum bearer length. */
const token = (who: string) => who.padEnd(24, '_');

class FakeSessions implements SessionAuthenticator {
  asked = 0;
  async authenticate(raw: string): Promise<Principal | undefined> {
    this.asked++;
    const p = PRINCIPALS[raw.replace(/_+$/, '')];
    return p && { ...p };
  }
}

class FakeMembership implements OrganisationMembership {
  readonly roles = new Map<string, OrganisationRole>([[`${ORG}/u-dev`, 'member']]);
  readonly questions: string[] = [];
  async roleOf(organisationId: string, userId: string): Promise<OrganisationRole | undefined> {
    this.questions.push(`roleOf ${organisationId} ${userId}`);
    return this.roles.get(`${organisationId}/${userId}`);
  }
  async exists(organisationId: string): Promise<boolean> {
    this.questions.push(`exists ${organisationId}`);
    return organisationId === ORG;
  }
}

/** The one session over its limit waits 17 s; the limiter itself is covered end to end. */
const limiter = { hit: (subject: string) => (subject === 's-busy' ? 17 : undefined) } as Pick<RateLimiter, 'hit'>;

/** Customer tokens are covered end to end (test/customers.e2e-spec.ts); here only `a.b.c` verifies. */
const CUSTOMER_JWT = 'a.b.c';
class FakeCustomers implements CustomerAuthenticator {
  asked: string[] = [];
  async authenticate(raw: string) {
    this.asked.push(raw);
    return raw === CUSTOMER_JWT
      ? {
          ok: true as const,
          customer: { kind: 'customer' as const, customerId: 'c-1', sub: 'sub-1', email: null },
          expiresAt: new Date(Date.now() + 60_000),
        }
      : { ok: false as const, reason: 'not here' };
  }
}

/** Real BrowserSessions with a fixed key: the CSRF rule is the point of the cookie tests below. */
function browserSessions(): BrowserSessions {
  const sessions = new BrowserSessions({
    env: 'test',
    browserSessions: { csrfKey: Buffer.alloc(32, 7).toString('base64') },
  } as AppConfig);
  sessions.onModuleInit();
  return sessions;
}

describe('AuthGuard decisions', () => {
  let sessions: FakeSessions;
  let membership: FakeMembership;
  let customers: FakeCustomers;
  let cookies: BrowserSessions;
  let guard: AuthGuard;
  beforeEach(() => {
    sessions = new FakeSessions();
    membership = new FakeMembership();
    customers = new FakeCustomers();
    cookies = browserSessions();
    guard = new AuthGuard(new Reflector(), sessions, membership, limiter as RateLimiter, customers, cookies);
  });

  /** `who` names a principal above; a value with a space is sent as the whole Authorization header. */
  function call(
    route: Route,
    who?: string,
    orgId?: string,
    type = 'http',
    extra: { method?: string; headers?: Record<string, string> } = {},
  ) {
    const authorization = who?.includes(' ') ? who : who && `Bearer ${token(who)}`;
    const req = {
      method: extra.method ?? 'GET',
      headers: { ...(authorization ? { authorization } : {}), ...extra.headers },
      params: orgId ? { orgId } : {},
    };
    const context = {
      getType: () => type,
      getClass: () => Routes,
      getHandler: () => Routes.prototype[route],
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext;
    return { req: req as unknown as AuthenticatedRequest, result: guard.canActivate(context) };
  }

  /** 'allow', or the refusal's code and message as the problem+json would carry them. */
  async function outcome(
    route: Route,
    who?: string,
    orgId?: string,
    extra?: { method?: string; headers?: Record<string, string> },
  ): Promise<string> {
    try {
      return (await call(route, who, orgId, 'http', extra).result) ? 'allow' : 'deny';
    } catch (e) {
      if (e instanceof DomainError) return `${e.code}: ${e.message}`;
      throw e;
    }
  }

  it('refuses a route without an access rule, for anyone, without looking at the token', async () => {
    for (const who of [undefined, 'dev', 'admin']) {
      expect(await outcome('undeclared', who)).toBe('forbidden: This route declares no access rule');
    }
    expect(sessions.asked).toBe(0);
  });

  it('lets anyone through public routes and leaves non-HTTP contexts alone', async () => {
    expect(await outcome('open')).toBe('allow');
    expect(await call('undeclared', undefined, undefined, 'rpc').result).toBe(true);
    expect(sessions.asked).toBe(0);
  });

  it('answers 401 with a Bearer challenge to a missing, malformed or unknown token', async () => {
    const unauthenticated = 'unauthenticated: Sign in first: send your access token as "Authorization: Bearer <token>"';
    expect(await outcome('signedIn')).toBe(unauthenticated);
    expect(await outcome('signedIn', 'nobody')).toBe(unauthenticated);
    expect(await outcome('signedIn', `Basic ${token('dev')}`)).toBe(unauthenticated);
    expect(await outcome('signedIn', 'Bearer short')).toBe(unauthenticated);
    const challenge = { code: 'unauthenticated', headers: { 'WWW-Authenticate': 'Bearer' } };
    await expect(call('signedIn').result).rejects.toMatchObject(challenge);
  });

  it('answers 429 with Retry-After to a token over its limit, before any role check', async () => {
    await expect(call('ownerOrAdmin', 'busy', ORG).result).rejects.toMatchObject({
      code: 'rate_limited',
      extensions: { retryAfterSeconds: 17 },
      headers: { 'Retry-After': '17' },
    });
    expect(membership.questions).toEqual([]);
  });

  const mfaFirst = 'forbidden: Enrol in two-factor authentication first (/v1/auth/mfa/totp/setup)';
  const table: [Route, string, string][] = [
    ['signedIn', 'dev', 'allow'],
    ['signedIn', 'reviewer', 'allow'],
    ['signedIn', 'staffNoMfa', mfaFirst],
    ['mfaSetup', 'staffNoMfa', 'allow'],
    ['developerOnly', 'dev', 'allow'],
    ['developerOnly', 'unverifiedDev', 'allow'],
    ['developerOnly', 'admin', 'forbidden: This route is for developer accounts'],
    ['verifiedDeveloper', 'unverifiedDev', 'forbidden: Verify your email address first'],
    ['anyStaff', 'reviewer', 'allow'],
    ['anyStaff', 'dev', 'forbidden: This route is for Gatehouse staff'],
    ['anyStaff', 'staffNoMfa', mfaFirst],
    ['seniorStaff', 'admin', 'allow'],
    ['seniorStaff', 'reviewer', 'forbidden: This route needs one of the roles: senior_reviewer, admin'],
  ];
  it.each(table)('%s as %s: %s', async (route, who, expected) => {
    expect(await outcome(route, who)).toBe(expected);
    expect(membership.questions).toEqual([]);
  });

  it("asks the membership port on organisation routes and records the caller's role", async () => {
    const { req, result } = call('anyMember', 'dev', ORG);
    expect(await result).toBe(true);
    expect(req.principal?.organisationRole).toBe('member');
    expect(membership.questions).toEqual([`roleOf ${ORG} u-dev`]);
  });

  it('answers 404 to non-members and to non-UUID ids, 403 to a member without the role', async () => {
    expect(await outcome('anyMember', 'dev', OTHER_ORG)).toBe('not_found: Organisation not found');
    expect(await outcome('anyMember', 'unverifiedDev', ORG)).toBe('not_found: Organisation not found');
    expect(await outcome('ownerOrAdmin', 'dev', ORG)).toBe(
      'forbidden: This needs the organisation role owner or admin; yours is member',
    );
    const asked = membership.questions.length;
    expect(await outcome('anyMember', 'dev', 'not-a-uuid')).toBe('not_found: Organisation not found');
    expect(membership.questions).toHaveLength(asked);
  });

  it('lets staff with MFA into existing organisations only where the route admits staff', async () => {
    expect(await outcome('memberOrStaff', 'reviewer', ORG)).toBe('allow');
    expect(await outcome('memberOrStaff', 'reviewer', OTHER_ORG)).toBe('not_found: Organisation not found');
    expect(membership.questions).toEqual([`exists ${ORG}`, `exists ${OTHER_ORG}`]);
    expect(await outcome('memberOrStaff', 'staffNoMfa', ORG)).toBe(mfaFirst);
    expect(await outcome('anyMember', 'admin', ORG)).toBe('forbidden: This route is for developer accounts');
    expect(await outcome('memberOrStaff', 'dev', ORG)).toBe('allow');
  });

  describe('browser-session cookies', () => {
    const unauthenticated = 'unauthenticated: Sign in first: send your access token as "Authorization: Bearer <token>"';
    const csrfFailed = expect.stringMatching(/^csrf_failed: /);
    const withCookie = (method: string, cookie: string, csrf?: string) => ({
      method,
      headers: { cookie, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) },
    });
    const dev = `gh_session=${token('dev')}; other=1`;
    const devCsrf = () => cookies.csrfToken('session', token('dev'));

    it('signs in with gh_session when there is no Authorization header; reads need no CSRF token', async () => {
      const { req, result } = call('signedIn', undefined, undefined, 'http', withCookie('GET', dev));
      expect(await result).toBe(true);
      expect(req.principal?.userId).toBe('u-dev');
      expect(await outcome('signedIn', undefined, undefined, withCookie('HEAD', dev))).toBe('allow');
    });

    it("refuses a cookie-authenticated write without, with a wrong or with another session's X-CSRF-Token, before looking the session up", async () => {
      for (const csrf of [
        undefined,
        '',
        'x'.repeat(43),
        devCsrf().slice(1) + 'A',
        cookies.csrfToken('session', token('admin')),
      ]) {
        expect(await outcome('signedIn', undefined, undefined, withCookie('POST', dev, csrf))).toEqual(csrfFailed);
      }
      // The customer kind's token for the same value is another token.
      const crossKind = cookies.csrfToken('customer', token('dev'));
      expect(await outcome('signedIn', undefined, undefined, withCookie('DELETE', dev, crossKind))).toEqual(csrfFailed);
      expect(sessions.asked).toBe(0);
      expect(await outcome('signedIn', undefined, undefined, withCookie('POST', dev, devCsrf()))).toBe('allow');
      expect(await outcome('signedIn', undefined, undefined, withCookie('patch', dev, devCsrf()))).toBe('allow');
    });

    it('lets a bearer header win over cookies, with no CSRF token, and ignores cookies beside a bad header', async () => {
      const { req, result } = call('signedIn', 'admin', undefined, 'http', withCookie('POST', dev));
      expect(await result).toBe(true);
      expect(req.principal?.userId).toBe('u-adm');
      expect(await outcome('signedIn', 'Basic abc', undefined, withCookie('GET', dev))).toBe(unauthenticated);
      expect(await outcome('signedIn', 'Bearer short', undefined, withCookie('GET', dev))).toBe(unauthenticated);
    });

    it('answers 401 to an unknown or malformed session cookie', async () => {
      expect(await outcome('signedIn', undefined, undefined, withCookie('GET', `gh_session=${token('nobody')}`))).toBe(
        unauthenticated,
      );
      expect(await outcome('signedIn', undefined, undefined, withCookie('GET', 'gh_session=a%20b'))).toBe(
        unauthenticated,
      );
      expect(await outcome('signedIn', undefined, undefined, withCookie('GET', 'gh_csrf=abc'))).toBe(unauthenticated);
    });

    it('takes gh_customer on customer routes only, with the same CSRF rule against the customer kind', async () => {
      const customer = `gh_customer=${CUSTOMER_JWT}`;
      expect(await outcome('customerOnly', undefined, undefined, withCookie('GET', customer))).toBe('allow');
      expect(await outcome('customerOnly', undefined, undefined, withCookie('POST', customer))).toEqual(csrfFailed);
      const sessionKind = cookies.csrfToken('session', CUSTOMER_JWT);
      expect(await outcome('customerOnly', undefined, undefined, withCookie('POST', customer, sessionKind))).toEqual(
        csrfFailed,
      );
      expect(customers.asked).toEqual([CUSTOMER_JWT]);
      const right = cookies.csrfToken('customer', CUSTOMER_JWT);
      expect(await outcome('customerOnly', undefined, undefined, withCookie('POST', customer, right))).toBe('allow');
      // Neither cookie opens the other kind's routes.
      expect(await outcome('customerOnly', undefined, undefined, withCookie('GET', dev))).toMatch(/^unauthenticated/);
      expect(await outcome('signedIn', undefined, undefined, withCookie('GET', customer))).toBe(unauthenticated);
    });
  });
});
