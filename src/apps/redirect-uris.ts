import { isIP } from 'node:net';
import type { FieldError } from '../common/errors/domain-error';
import { isLocalOnlyHostname } from '../common/net/host-names';
import type { AppEnvironment } from './credentials/client-secret';

/**
 * Validation of an app's registered OAuth redirect URIs. Pure: returns field errors in the
 * problem+json shape (`{ field: 'redirectUris[2]', message }`); an empty list means valid.
 *
 * Redirect URIs are matched by exact string comparison at authorisation time (RFC 9700 §4.1.1),
 * so these rules look at the string as registered, not only at what the WHATWG URL parser makes
 * of it: the parser silently repairs a lot (drops tabs and newlines, turns `\` into `/`, reads
 * `https:example.com` and `https:///x` as having a host, rewrites `0x7f.1` to `127.0.0.1`), and a
 * string that only becomes a sensible URL after repair is refused. Store the string exactly as
 * submitted once it passes.
 *
 * Rules, each element:
 * - a string of at most 256 characters, no whitespace, control characters or backslashes;
 * - absolute, written `scheme://host…`, with a non-empty host;
 * - `https`, except `http://localhost`, `http://127.0.0.1` and `http://[::1]` (any port and path)
 *   in sandbox only — the loopback forms RFC 8252 §7.3 describes for native apps and local
 *   development. The IPv6 loopback is included for the same reason as the IPv4 one;
 * - no `*` anywhere (no wildcards: a pattern is an open redirect waiting to happen), no fragment
 *   (`#`, even an empty one; RFC 6749 §3.1.2), no userinfo (`user:pass@`, even an empty `@`);
 * - the host written in canonical form: lowercase or not, but ASCII (register an IDN in punycode,
 *   so homographs are visible to reviewers) and not a numeric or percent-encoded disguise;
 * - no `.` or `..` path segments (the parser would remove them, so the string would never match);
 * - IP literals: refused, except the loopback addresses in sandbox. An https redirect to a bare IP
 *   cannot be tied to an organisation the way a domain can, and almost never has a publicly
 *   trusted certificate; a developer who needs one can use a hostname;
 * - production: no loopback or local-only hosts at all (`localhost`, `*.localhost`, `127.x`,
 *   `[::1]`), and the host must be a dotted, publicly resolvable-looking name (no single-label
 *   intranet names such as `https://callback/`, no trailing dot, nothing under the special-use
 *   and private suffixes of `isLocalOnlyHostname`: `.local`, `.internal`, `.test`, `.alt`, `.onion`…).
 *
 * Why redirect URIs are not judged like webhook URLs: Gatehouse never connects to a redirect URI
 * (the customer's browser follows it), so there is no server-side request to forge and no need
 * for the resolved-address check. The risk is a code delivered somewhere no one can be held to:
 * a special-use name has no public owner, so in production it is refused like a webhook host.
 * Loopback stays allowed in sandbox: RFC 8252 §7.3 (loopback interface redirection for native
 * apps, any port) and BCP 212 expect it, and it only ever reaches the customer's own device.
 * And the list: an array of 1 to 10 entries (an app asks customers for consent through the
 * authorisation-code flow, which needs somewhere to return), without duplicates after URL
 * normalisation (`https://A.example/cb` duplicates `https://a.example/cb`).
 *
 * Query strings and explicit ports are allowed (RFC 6749 §3.1.2 permits a query component).
 */

export const MAX_REDIRECT_URIS = 10;
export const MAX_REDIRECT_URI_LENGTH = 256;

const FIELD = 'redirectUris';
const NOT_ABSOLUTE = 'must be an absolute URL such as https://app.example.com/callback';
const SANDBOX_HTTP_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function validateRedirectUris(uris: unknown, environment: AppEnvironment): FieldError[] {
  if (!Array.isArray(uris)) {
    return [{ field: FIELD, message: 'must be an array of URLs' }];
  }
  const errors: FieldError[] = [];
  if (uris.length === 0) {
    errors.push({ field: FIELD, message: 'must contain at least one redirect URI' });
  }
  if (uris.length > MAX_REDIRECT_URIS) {
    errors.push({ field: FIELD, message: `must contain at most ${MAX_REDIRECT_URIS} redirect URIs` });
  }

  const seen = new Map<string, number>();
  uris.forEach((value: unknown, index) => {
    const field = `${FIELD}[${index}]`;
    const checked = checkRedirectUri(value, environment);
    if (typeof checked === 'string') {
      errors.push({ field, message: checked });
      return;
    }
    const first = seen.get(checked.href);
    if (first !== undefined) {
      errors.push({ field, message: `duplicates ${FIELD}[${first}]` });
    } else {
      seen.set(checked.href, index);
    }
  });
  return errors;
}

/** The parsed URL if the single value is acceptable, or the message explaining the first problem. */
function checkRedirectUri(value: unknown, environment: AppEnvironment): URL | string {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_REDIRECT_URI_LENGTH) return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (hasWhitespaceOrControl(value)) return 'must not contain whitespace or control characters';
  if (value.includes('\\')) return 'must not contain backslashes';
  if (value.includes('*')) return 'must not contain wildcards (*); register each exact URI';
  if (value.includes('#')) return 'must not contain a fragment (#)';

  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/u.exec(value);
  if (schemeMatch === null) return NOT_ABSOLUTE;
  const scheme = schemeMatch[1].toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return 'must use https';

  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?]*)(.*)$/u.exec(value);
  if (match === null || !URL.canParse(value)) return NOT_ABSOLUTE;
  const [, authority, rest] = match;
  const url = new URL(value);

  if (authority.includes('@')) return 'must not contain user information (user:password@)';
  const rawHost = stripPort(authority).toLowerCase();
  if (rawHost === '' || url.hostname === '') return 'must have a host';

  if (scheme === 'http') {
    if (environment !== 'sandbox' || !SANDBOX_HTTP_HOSTS.has(rawHost)) {
      return environment === 'sandbox'
        ? 'must use https (plain http is allowed only for http://localhost, http://127.0.0.1 and http://[::1])'
        : 'must use https';
    }
  }

  if (!isAscii(rawHost)) return 'host must be ASCII; register an internationalised domain in punycode (xn--…)';
  if (rawHost !== url.hostname)
    return 'host must be written in canonical form (no percent-encoding or numeric shorthand)';

  const path = rest.split('?')[0];
  if (path.split('/').some((segment) => /^(\.|%2e){1,2}$/iu.test(segment))) {
    return 'path must not contain "." or ".." segments';
  }

  const hostForIp = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const loopback = isLoopbackHost(url.hostname);
  if (environment === 'production') {
    if (loopback) return 'must not point at localhost or a loopback address in production';
    if (isIP(hostForIp) !== 0) return 'must use a domain name, not an IP address';
    if (!url.hostname.includes('.') || url.hostname.endsWith('.'))
      return 'host must be a fully qualified public domain name';
    if (isLocalOnlyHostname(url.hostname)) {
      return 'host must be a public domain name, not a local or reserved one';
    }
  } else if (isIP(hostForIp) !== 0 && !loopback) {
    return 'must use a domain name, not an IP address (only loopback addresses are allowed, in sandbox)';
  }
  return url;
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end === -1 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.lastIndexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

function hasWhitespaceOrControl(value: string): boolean {
  if (/\s/u.test(value)) return true;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}
