import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The console's one API client, typed from the OpenAPI document the server serves (console/openapi.json,
 * turned into `schema.d.ts` by openapi-typescript at build). Requests go to the same origin with the
 * browser's session cookies; writes carry the double-submit CSRF token (docs/decisions.md, "Browser
 * sessions"): the customer's for customer routes, the developer or staff member's for the rest.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CUSTOMER_PATHS = [/^\/v1\/customer(\/|$)/, /^\/v1\/oauth\/interactions\//];

/** The value of a cookie readable by scripts (the CSRF cookies are; the session cookies are HttpOnly). */
export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split('; ')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return undefined;
}

/** Which CSRF cookie guards a path: customers and developers/staff hold separate sessions. */
export function csrfCookieFor(pathname: string): 'gh_customer_csrf' | 'gh_csrf' {
  return CUSTOMER_PATHS.some((p) => p.test(pathname)) ? 'gh_customer_csrf' : 'gh_csrf';
}

/** Headers for a write made outside the typed client (uploads with progress use XMLHttpRequest). */
export function csrfHeaders(pathname: string): Record<string, string> {
  const token = readCookie(csrfCookieFor(pathname));
  return token ? { 'X-CSRF-Token': token } : {};
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!UNSAFE.has(request.method)) return request;
    const token = readCookie(csrfCookieFor(new URL(request.url).pathname));
    if (token) request.headers.set('X-CSRF-Token', token);
    return request;
  },
};
api.use(csrf);
