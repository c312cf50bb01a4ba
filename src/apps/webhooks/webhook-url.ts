import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { FieldError } from '../../common/errors/domain-error';
import { isIpLiteral, isLocalOnlyHostname } from '../../common/net/host-names';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A webhook URL: https, absolute, no userinfo or fragment. Plain http is allowed only to a
 * loopback host and only when the deployment is not production (a developer's own machine).
 * In production the host must be a public name: IP literals in any notation (the URL parser
 * turns `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` into `127.0.0.1`, so they are literals
 * here too) and local-only names (`isLocalOnlyHostname`: single labels, `.internal`, `.local`,
 * `localhost.` …) are refused. Every delivery re-checks the URL and the addresses it connects
 * to (`assertDeliverable`, `guardedLookup`), so a webhook cannot reach Gatehouse's own network.
 */
export function validateWebhookUrl(raw: string, production: boolean): FieldError[] {
  const errors = (message: string): FieldError[] => [{ field: 'url', message }];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return errors('must be an absolute https URL');
  }
  if (url.href.length > 256) return errors('must be at most 256 characters');
  if (url.username || url.password || raw.includes('@')) return errors('must not contain userinfo');
  if (raw.includes('#')) return errors('must not contain a fragment');
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'http:') {
    if (!loopback || production) return errors('must use https (plain http only to localhost, outside production)');
  } else if (url.protocol !== 'https:') {
    return errors('must use https');
  }
  if (production && isIpLiteral(url.hostname)) return errors('must name a public host, not an IP address');
  if (production && isLocalOnlyHostname(url.hostname)) {
    return errors('must name a public host, not a local, internal or special-use name');
  }
  return [];
}

// Separate lists: a BlockList checks IPv4 addresses against IPv4-mapped IPv6 rules too.
const privateV4 = new BlockList();
const privateV6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fec0::', 10],
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const) {
  privateV6.addSubnet(net, prefix, 'ipv6');
}

/**
 * Loopback, private, link-local, carrier-grade NAT, multicast, documentation and reserved
 * addresses (RFC 6890 special-purpose registries), IPv4-mapped (`::ffff:a.b.c.d`, RFC 4291) and
 * IPv4-compatible (`::a.b.c.d`) forms, NAT64 (RFC 6052, 8215), 6to4 and Teredo, which can all
 * carry a private IPv4 address. Anything that is not an IP address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateV4.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateV4.check(mapped[1]!, 'ipv4');
    const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (mappedHex) {
      const hi = parseInt(mappedHex[1]!, 16);
      const lo = parseInt(mappedHex[2]!, 16);
      return privateV4.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return privateV6.check(address, 'ipv6');
  }
  return true;
}

/**
 * Throws unless a stored URL may be posted to now: in production it must still pass
 * `validateWebhookUrl`, so a URL stored before a rule tightened is refused at delivery. That rule
 * refuses every IP literal, which matters here because Node connects to a literal without calling
 * the lookup that `guardedLookup` guards.
 */
export function assertDeliverable(url: string, production: boolean): void {
  const problem = production ? validateWebhookUrl(url, true)[0] : undefined;
  if (problem) throw Object.assign(new Error(`refused: the URL ${problem.message}`), { code: 'EPRIVATE' });
}

type ResolveCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
type Resolve = (hostname: string, options: LookupAllOptions, callback: ResolveCallback) => void;
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that, in production, refuses a host if ANY of its addresses is
 * private. Node connects to exactly the addresses this returns, and calls it for every new
 * connection, so the check runs on the address actually connected to: a name re-pointed at a
 * private address after it was checked (DNS rebinding) is refused at the connection that would
 * use it. Node's autoSelectFamily asks for every address (`all: true`), so all are checked.
 */
export function guardedLookup(production: boolean, resolve: Resolve) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '', undefined);
      if (production && addresses.some((a) => isPrivateAddress(a.address))) {
        const refused = new Error(`refused: ${hostname} resolves to a private address`);
        return callback(Object.assign(refused, { code: 'EPRIVATE' }), options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) {
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', undefined);
      }
      return callback(null, first.address, first.family);
    });
  };
}
