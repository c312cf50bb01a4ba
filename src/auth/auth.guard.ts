import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { ACCESS, AccessRule } from './access.decorator';
import { BrowserSessions } from './browser-sessions';
import {
  CUSTOMER_AUTHENTICATOR,
  CustomerAuthenticator,
  ORGANISATION_MEMBERSHIP,
  OrganisationMembership,
  SESSION_AUTHENTICATOR,
  SessionAuthenticator,
} from './ports';
import { AuthenticatedRequest, Principal } from './principal';
import { RateLimiter } from './rate-limiter';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An opaque session token (credential-format.ts) and a compact JWS: the shapes worth looking up. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{20,200}$/;
const CUSTOMER_JWT = /^[A-Za-z0-9_.-]{1,8192}$/;

const unauthenticated = (detail = 'Sign in first: send your access token as "Authorization: Bearer <token>"') =>
  new DomainError('unauthenticated', detail, {}, { 'WWW-Authenticate': 'Bearer' });
const rateLimited = (retryAfter: number) =>
  new DomainError(
    'rate_limited',
    'Too many requests for this token; slow down',
    { retryAfterSeconds: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
const forbidden = (why: string) => new DomainError('forbidden', why);
const mfaFirst = () => forbidden('Enrol in two-factor authentication first (/v1/auth/mfa/totp/setup)');

/**
 * The one authentication and authorisation guard. Deny by default: a route without an access
 * declaration is refused (403). Organisation routes answer 404 to non-members, so an organisation's
 * existence is never confirmed to outsiders. Sessions and memberships are asked of the ports
 * (ports.ts); the guard itself reads no table.
 *
 * Credentials: an `Authorization: Bearer` header, or, when the request has no Authorization header
 * at all, the browser session's HttpOnly cookie (`gh_session`; `gh_customer` on customer routes).
 * A cookie-authenticated request with an unsafe method must carry the session's CSRF token in
 * `X-CSRF-Token` (browser-sessions.ts), checked before the credential is looked up: otherwise 403
 * `csrf_failed` and nothing is read or changed. A bearer header always wins and needs no CSRF token
 * (another site cannot make a browser send one).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SESSION_AUTHENTICATOR) private readonly sessions: SessionAuthenticator,
    @Inject(ORGANISATION_MEMBERSHIP) private readonly membership: OrganisationMembership,
    private readonly rateLimiter: RateLimiter,
    @Inject(CUSTOMER_AUTHENTICATOR) private readonly customers: CustomerAuthenticator,
    private readonly browserSessions: BrowserSessions,
  ) {}

  /** Access rules by controller class, then handler: metadata is fixed once the app is built. */
  private readonly rules = new WeakMap<Function, Map<Function, AccessRule | undefined>>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.ruleFor(context.getClass(), context.getHandler());
    if (!rule) throw forbidden('This route declares no access rule');
    if (rule.kind === 'public') return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Customer routes take only customer JWTs, and the session path below takes only opaque session
    // tokens (a JWT's dots fail its pattern): neither kind of caller can reach the other's routes.
    if (rule.kind === 'customer') return this.authenticateCustomer(req);
    const principal = await this.authenticate(req);
    req.principal = principal;

    const retryAfter = this.rateLimiter.hit(principal.sessionId);
    if (retryAfter !== undefined) throw rateLimited(retryAfter);

    const staffWithoutMfa = principal.kind === 'staff' && !(principal.mfaEnrolled && principal.mfaVerified);
    switch (rule.kind) {
      case 'authenticated':
        if (staffWithoutMfa && !rule.beforeMfa) throw mfaFirst();
        return true;
      case 'developer':
        if (principal.kind !== 'developer') throw forbidden('This route is for developer accounts');
        if (rule.verifiedEmail && !principal.emailVerified) throw forbidden('Verify your email address first');
        return true;
      case 'staff':
        if (principal.kind !== 'staff') throw forbidden('This route is for Gatehouse staff');
        if (staffWithoutMfa) throw mfaFirst();
        if (rule.roles.length > 0 && !rule.roles.includes(principal.staffRole!)) {
          throw forbidden(`This route needs one of the roles: ${rule.roles.join(', ')}`);
        }
        return true;
      case 'organisation': {
        const orgId = req.params.orgId;
        if (principal.kind === 'staff' && rule.staff) {
          if (staffWithoutMfa) throw mfaFirst();
          if (typeof orgId !== 'string' || !UUID.test(orgId)) throw new NotFoundError('Organisation');
          if (!(await this.membership.exists(orgId))) throw new NotFoundError('Organisation');
          return true;
        }
        if (principal.kind !== 'developer') throw forbidden('This route is for developer accounts');
        if (typeof orgId !== 'string' || !UUID.test(orgId)) throw new NotFoundError('Organisation');
        const role = await this.membership.roleOf(orgId, principal.userId);
        if (!role) throw new NotFoundError('Organisation');
        principal.organisationRole = role;
        if (!rule.roles.includes(role)) {
          throw forbidden(`This needs the organisation role ${rule.roles.join(' or ')}; yours is ${role}`);
        }
        return true;
      }
    }
  }

  private async authenticateCustomer(req: AuthenticatedRequest): Promise<true> {
    const token = this.credential(req, 'customer', /^Bearer ([A-Za-z0-9_.-]{1,8192})$/, CUSTOMER_JWT);
    if (!token) throw unauthenticated('Sign in first: send your customer token as "Authorization: Bearer <JWT>"');
    const result = await this.customers.authenticate(token);
    if (!result.ok) throw unauthenticated(result.reason);
    const retryAfter = this.rateLimiter.hit(`customer:${result.customer.customerId}`);
    if (retryAfter !== undefined) throw rateLimited(retryAfter);
    req.customer = result.customer;
    return true;
  }

  private ruleFor(controller: Function, handler: Function): AccessRule | undefined {
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new Map()));
    if (byHandler.has(handler)) return byHandler.get(handler);
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [handler, controller]);
    byHandler.set(handler, rule);
    return rule;
  }

  private async authenticate(req: AuthenticatedRequest): Promise<Principal> {
    const token = this.credential(req, 'session', /^Bearer ([A-Za-z0-9_-]{20,200})$/, SESSION_TOKEN);
    if (!token) throw unauthenticated();
    const principal = await this.sessions.authenticate(token);
    if (!principal) throw unauthenticated();
    return principal;
  }

  /**
   * The credential to authenticate: from the Authorization header when there is one (matched by
   * `bearer`; a header that does not match yields nothing, whatever the cookies say), else from the
   * `kind` browser-session cookie (when it has the credential's `shape`), after the CSRF check for
   * unsafe methods, which throws 403 `csrf_failed`.
   */
  private credential(
    req: AuthenticatedRequest,
    kind: 'session' | 'customer',
    bearer: RegExp,
    shape: RegExp,
  ): string | undefined {
    const header = req.headers.authorization;
    if (header !== undefined) return typeof header === 'string' ? bearer.exec(header)?.[1] : undefined;
    const cookie = this.browserSessions.credentialFrom(req, kind);
    if (cookie === undefined || !shape.test(cookie)) return undefined;
    this.browserSessions.assertCsrf(req, kind, cookie);
    return cookie;
  }
}
