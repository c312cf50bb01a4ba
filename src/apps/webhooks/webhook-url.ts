import { BlockList, isIP } from 'node:net';
import type { FieldError } from '../../common/errors/domain-error';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A webhook URL: https, absolute, no userinfo or fragment. Plain http is allowed only to a
 * loopback host and only when the deployment is not production (a developer's own machine).
 * In production, hosts that are IP literals or obviously local are refused here, and every
 * delivery re-checks the resolved address (see `isPrivateAddress`), so a webhook cannot be used
 * to reach Gatehouse's own network.
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
  if (production && (loopback || isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0 || !url.hostname.includes('.'))) {
    return errors('must name a public host, not an IP address or a local name');
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
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const) {
  privateV6.addSubnet(net, prefix, 'ipv6');
}

/** Loopback, private, link-local, carrier-grade NAT, multicast and reserved addresses. */
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
