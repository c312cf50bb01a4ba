import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { clientIdFromUri } from '../apps/ca/certificate-authority';

/**
 * Client certificates as they reach Gatehouse (SPEC "OAuth 2 authorisation server"): on the mTLS
 * listener, the TLS peer certificate; behind a TLS-terminating proxy, the RFC 9440 `Client-Cert`
 * header, believed only from an address in TRUSTED_PROXIES and removed from every other request.
 */

/** RFC 9440 §2: `Client-Cert: :<base64 DER>:` (a structured-field byte sequence). */
export const CLIENT_CERT_HEADER = 'client-cert';
/** RFC 9440 §2.3: the rest of the chain; never used here, so stripped too. */
export const CLIENT_CERT_CHAIN_HEADER = 'client-cert-chain';

/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
const SF_BINARY = /^:([A-Za-z0-9+/]+={0,2}):$/;

const presented = new WeakMap<IncomingMessage, X509Certificate>();

/** The addresses of TRUSTED_PROXIES (`10.0.0.0/8`, `127.0.0.1`, `::1`), for `clientCertificateReader`. */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** `::ffff:10.1.2.3` (an IPv4 peer on a dual-stack socket) is 10.1.2.3. */
function peerAddress(req: IncomingMessage): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const raw = req.socket.remoteAddress;
  if (!raw) return undefined;
  const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** The DER certificate of a `Client-Cert` value, or undefined for anything malformed. */
export function parseClientCertHeader(value: string | string[] | undefined): X509Certificate | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SF_BINARY.exec(value.trim());
  if (!match) return undefined;
  try {
    return new X509Certificate(Buffer.from(match[1]!, 'base64'));
  } catch {
    return undefined;
  }
}

function tlsPeerCertificate(req: IncomingMessage): X509Certificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  return socket.getPeerX509Certificate() ?? undefined;
}

/**
 * Reads the request's client certificate once, at the front of the HTTP pipeline (every listener),
 * and removes the Client-Cert headers so nothing later can read them unchecked. The TLS peer
 * certificate wins; otherwise the header counts only when the TCP peer is a trusted proxy.
 * Nothing is verified here: that is `verifyGatehouseCertificate`'s job (and the token's binding).
 */
export function clientCertificateReader(trusted: BlockList) {
  return (req: IncomingMessage, _res: unknown, next: () => void): void => {
    const header = req.headers[CLIENT_CERT_HEADER];
    delete req.headers[CLIENT_CERT_HEADER];
    delete req.headers[CLIENT_CERT_CHAIN_HEADER];
    const peer = peerAddress(req);
    const fromProxy = peer && trusted.check(peer.address, peer.family) ? parseClientCertHeader(header) : undefined;
    const certificate = tlsPeerCertificate(req) ?? fromProxy;
    if (certificate) presented.set(req, certificate);
    next();
  };
}

/** The client certificate the request came with (TLS peer or trusted proxy header), unverified. */
export function presentedCertificate(req: IncomingMessage): X509Certificate | undefined {
  return presented.get(req);
}

/** RFC 8705 §3.1 `x5t#S256`: SHA-256 of the certificate's DER, base64url. */
export function certificateThumbprint(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('base64url');
}

/** The SAN URIs of a certificate (`urn:gatehouse:client:<id>` names our apps). */
export function sanUris(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
}

export type CertificateVerdict =
  | { ok: true; thumbprintHex: string; clientId: string }
  | { ok: false; reason: 'not_issued_by_gatehouse' | 'not_valid_now' | 'not_for_client_auth' | 'no_client_id' };

/**
 * Whether a certificate is one of Gatehouse's client certificates as far as the certificate itself
 * tells: signed by the CA `ca`, valid at `now`, an end entity for client authentication, naming a
 * client id in its SAN URI. Revocation and ownership are the database's (ClientAuthService).
 */
export function verifyGatehouseCertificate(
  certificate: X509Certificate,
  ca: X509Certificate,
  now: Date = new Date(),
): CertificateVerdict {
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey) || certificate.ca)
    return { ok: false, reason: 'not_issued_by_gatehouse' };
  if (Date.parse(certificate.validFrom) > now.getTime() || Date.parse(certificate.validTo) <= now.getTime())
    return { ok: false, reason: 'not_valid_now' };
  const eku = certificate.keyUsage;
  if (eku && !eku.includes(CLIENT_AUTH_EKU)) return { ok: false, reason: 'not_for_client_auth' };
  const clientId = sanUris(certificate)
    .map(clientIdFromUri)
    .find((id): id is string => id !== null);
  if (!clientId) return { ok: false, reason: 'no_client_id' };
  return { ok: true, thumbprintHex: createHash('sha256').update(certificate.raw).digest('hex'), clientId };
}

/** The confirmation claim of an access token (RFC 7800 `cnf`), as introspection reports it. */
export interface TokenConfirmation {
  'x5t#S256'?: string;
}

export type BindingResult = { ok: true } | { ok: false; error: 'invalid_token'; description: string };

/**
 * The resource server's check of a certificate-bound access token (RFC 8705 §3): the token's
 * `cnf.x5t#S256` must equal the thumbprint of the certificate the request came with
 * (`presentedCertificate(req)`). A bound token without a certificate, or with another one, is
 * refused; so is a production token that is not bound at all (SPEC: "in production every access
 * token is certificate-bound"). A sandbox token without `cnf` needs no certificate.
 */
export function checkCertificateBinding(
  cnf: TokenConfirmation | undefined,
  certificate: X509Certificate | undefined,
  environment: 'sandbox' | 'production',
): BindingResult {
  const expected = cnf?.['x5t#S256'];
  if (!expected) {
    return environment === 'production'
      ? { ok: false, error: 'invalid_token', description: 'production access tokens must be certificate-bound' }
      : { ok: true };
  }
  if (!certificate)
    return { ok: false, error: 'invalid_token', description: 'this access token needs its client certificate' };
  const actual = Buffer.from(certificateThumbprint(certificate));
  const wanted = Buffer.from(expected);
  if (actual.length !== wanted.length || !timingSafeEqual(actual, wanted))
    return {
      ok: false,
      error: 'invalid_token',
      description: 'the client certificate is not the one the token is bound to',
    };
  return { ok: true };
}
