import { Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Request, Response } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { developmentKey } from '../common/crypto/master-key';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/**
 * The web console's browser sessions (SPEC "Web console"; docs/decisions.md "Browser sessions:
 * HttpOnly cookie and an HMAC-bound CSRF token"). A browser signs in once and from then on carries
 * its credential in an HttpOnly cookie its JavaScript never sees; every cookie-authenticated write
 * must also send `X-CSRF-Token`, whose value is HMAC-SHA256(CSRF_KEY, kind ‖ credential): readable
 * by the page (a second, non-HttpOnly cookie and the sign-in answer) but not forgeable by another
 * site, and bound to this one session.
 */

/** Cookie names by kind of session: developers and staff (`session`), bank customers (`customer`). */
export const BROWSER_COOKIES = {
  session: { credential: 'gh_session', csrf: 'gh_csrf' },
  customer: { credential: 'gh_customer', csrf: 'gh_customer_csrf' },
} as const;

export type BrowserSessionKind = keyof typeof BROWSER_COOKIES;

/** The request header carrying the CSRF token on cookie-authenticated writes (lower case, as Node keys headers). */
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing (RFC 9110 §9.2.1), so they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The shape of a CSRF token: 32 bytes of HMAC-SHA256 in base64url. */
const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** 403 problem+json, code `csrf_failed`: the write was refused before anything was read or changed. */
export const csrfFailed = () =>
  new DomainError(
    'csrf_failed',
    'A write made with a session cookie must send the header X-CSRF-Token with the csrfToken of that sign-in ' +
      '(also readable in the gh_csrf or gh_customer_csrf cookie)',
  );

/** Whether `method` may change state, and so needs the CSRF token when the caller is authenticated by cookie. */
export const isUnsafeMethod = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

@Injectable()
export class BrowserSessions implements OnModuleInit {
  private readonly logger = new Logger(BrowserSessions.name);
  private key: Buffer;
  /** `Secure` on every cookie, except when NODE_ENV is development or test (plain http on localhost). */
  private readonly secure: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.secure = config.env !== 'development' && config.env !== 'test';
  }

  /** Loads CSRF_KEY, or outside production the development key under `<varDir>/keys/csrf.key`; production without it fails here, at boot. */
  onModuleInit(): void {
    const configured = this.config.browserSessions.csrfKey;
    this.key = configured
      ? Buffer.from(configured, 'base64')
      : developmentKey(
          this.config,
          'csrf.key',
          'CSRF_KEY',
          'Changing it makes signed-in browsers sign in again before their next write.',
          (m) => this.logger.warn(m),
        );
  }

  /**
   * The CSRF token of a session: base64url HMAC-SHA256 under CSRF_KEY of the kind and the
   * credential (the opaque session token, or the customer's JWT), so a token of one session or
   * kind is worthless for another, and the credential cannot be recovered from it.
   */
  csrfToken(kind: BrowserSessionKind, credential: string): string {
    return createHmac('sha256', this.key).update(`gatehouse-csrf\0${kind}\0`).update(credential).digest('base64url');
  }

  /** Whether `presented` (the X-CSRF-Token header, any type) is the CSRF token of `credential`, compared in constant time. */
  csrfMatches(kind: BrowserSessionKind, credential: string, presented: unknown): boolean {
    if (typeof presented !== 'string' || !CSRF_TOKEN.test(presented)) return false;
    return timingSafeEqual(Buffer.from(presented), Buffer.from(this.csrfToken(kind, credential)));
  }

  /**
   * For a request authenticated by the `kind` cookie holding `credential`: throws {@link csrfFailed}
   * (403) when the method is unsafe and X-CSRF-Token is missing or wrong. Safe methods pass.
   */
  assertCsrf(req: Request, kind: BrowserSessionKind, credential: string): void {
    if (isUnsafeMethod(req.method) && !this.csrfMatches(kind, credential, req.headers[CSRF_HEADER])) {
      throw csrfFailed();
    }
  }

  /** The credential in the request's `kind` cookie, or undefined when the Cookie header has none. */
  credentialFrom(req: Request, kind: BrowserSessionKind): string | undefined {
    const header = req.headers.cookie;
    if (typeof header !== 'string' || header.length === 0) return undefined;
    const value = parseCookie(header)[BROWSER_COOKIES[kind].credential];
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * Sets the `kind` cookies on `res` for a credential valid until `expiresAt`: the credential
   * HttpOnly, the CSRF token readable by the page, both `SameSite=Strict; Path=/`, `Max-Age` the
   * seconds left, and `Secure` outside development and test. Returns the CSRF token for the answer.
   */
  start(res: Response, kind: BrowserSessionKind, credential: string, expiresAt: Date): string {
    const csrfToken = this.csrfToken(kind, credential);
    const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    const names = BROWSER_COOKIES[kind];
    res.append('Set-Cookie', this.cookie(names.credential, credential, maxAge, true));
    res.append('Set-Cookie', this.cookie(names.csrf, csrfToken, maxAge, false));
    return csrfToken;
  }

  /** Clears both `kind` cookies (empty values, `Max-Age=0`, the same attributes they were set with). */
  end(res: Response, kind: BrowserSessionKind): void {
    const names = BROWSER_COOKIES[kind];
    res.append('Set-Cookie', this.cookie(names.credential, '', 0, true));
    res.append('Set-Cookie', this.cookie(names.csrf, '', 0, false));
  }

  private cookie(name: string, value: string, maxAge: number, httpOnly: boolean): string {
    return stringifySetCookie({ name, value, maxAge, httpOnly, secure: this.secure, sameSite: 'strict', path: '/' });
  }
}

/**
 * Refuses (415, changing nothing) a request that would start a browser session unless its body is
 * JSON. An HTML form on another site can post `application/x-www-form-urlencoded`, `multipart/form-data`
 * or `text/plain` to us but never `application/json` (that needs a CORS preflight, which Gatehouse
 * never grants), so another site cannot sign a visitor's browser into an account of its choosing.
 */
export function assertJsonBody(req: Request): void {
  if (!req.is('application/json')) {
    throw new DomainError('unsupported_media_type', 'Send the body as application/json to start a browser session');
  }
}

/** Provides {@link BrowserSessions} to the guard (AuthModule) and to the areas that start and end browser sessions. */
@Module({ providers: [BrowserSessions], exports: [BrowserSessions] })
export class BrowserSessionsModule {}
