import { isIP } from 'node:net';

/**
 * DNS suffixes that never name a host on the public internet, so a URL under one can only reach
 * something local to whoever resolves it (Gatehouse's own network, a developer's machine):
 * - RFC 6761 special-use names: `localhost`, `test`, `invalid`, `example` (the TLD only;
 *   `example.com` and friends are ordinary public names);
 * - RFC 6762 `local` (mDNS) and its Appendix G private namespaces seen in practice: `intranet`,
 *   `internal`, `private`, `corp`, `home`, `lan`; plus `localdomain` from /etc/hosts habits;
 * - `internal`, reserved by ICANN for private use (2024; e.g. `metadata.google.internal`);
 * - RFC 8375 `home.arpa`, and `arpa` altogether (infrastructure: reverse-lookup names, no hosts);
 * - RFC 7686 `onion` and RFC 9476 `alt` (resolved outside the DNS, if at all).
 */
export const LOCAL_ONLY_SUFFIXES: readonly string[] = [
  'localhost',
  'localdomain',
  'local',
  'test',
  'invalid',
  'example',
  'internal',
  'intranet',
  'private',
  'corp',
  'home',
  'lan',
  'arpa',
  'onion',
  'alt',
];

/** `hostname` as the WHATWG URL parser gives it, without IPv6 brackets. */
export function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** True when the host (as `URL.hostname` gives it) is an IPv4 or IPv6 literal. */
export function isIpLiteral(hostname: string): boolean {
  return isIP(unbracket(hostname)) !== 0;
}

/**
 * True for a host name that can only be local or internal: a single label (`intranet`,
 * `metadata`), empty labels (`a..b`), or a name under one of LOCAL_ONLY_SUFFIXES. A trailing
 * dot (`localhost.`, `metadata.google.internal.`) names the same host, so it is ignored.
 * Expects `URL.hostname` (lowercase, punycode); IP literals are for the caller to judge.
 */
export function isLocalOnlyHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  if (labels.length < 2 || labels.some((l) => l === '')) return true;
  return LOCAL_ONLY_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`));
}
