import fc from 'fast-check';
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  certificateThumbprint,
  checkCertificateBinding,
  clientCertificateReader,
  parseClientCertHeader,
  presentedCertificate,
  trustedProxies,
} from './client-certificate';

const PEM = '-----BEGIN CERTIFICATE-----\nnot base64 DER\n-----END CERTIFICATE-----';

describe('client certificates', () => {
  let cert: X509Certificate;
  let other: X509Certificate;
  beforeAll(() => {
    cert = selfSigned('a');
    other = selfSigned('b');
  });

  const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
    ({ socket: { remoteAddress }, headers: { ...headers } }) as unknown as IncomingMessage;
  const read = (req: IncomingMessage, trusted: string[]) => {
    clientCertificateReader(trustedProxies(trusted))(req, undefined, () => undefined);
    return presentedCertificate(req);
  };

  it('believes Client-Cert only from a trusted proxy (IPv4-mapped peers included) and strips it from everyone', () => {
    const header = `:${cert.raw.toString('base64')}:`;
    const trusted = request('::ffff:10.1.2.3', { 'client-cert': header, 'client-cert-chain': header });
    expect(read(trusted, ['10.0.0.0/8'])?.fingerprint256).toBe(cert.fingerprint256);
    expect(trusted.headers['client-cert']).toBeUndefined();
    expect(trusted.headers['client-cert-chain']).toBeUndefined();
    const stranger = request('192.168.1.1', { 'client-cert': header });
    expect(read(stranger, ['10.0.0.0/8', '::1'])).toBeUndefined();
    expect(stranger.headers['client-cert']).toBeUndefined();
    expect(read(request('::1', { 'client-cert': header }), ['::1'])?.fingerprint256).toBe(cert.fingerprint256);
  });

  it('ignores a malformed header, whatever it is', () => {
    expect(parseClientCertHeader(PEM)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseClientCertHeader(s);
        return parsed === undefined || parsed instanceof X509Certificate;
      }),
    );
    expect(parseClientCertHeader(`:${cert.raw.toString('base64')}:`)?.raw.equals(cert.raw)).toBe(true);
  });

  it('checks a binding: the bound certificate passes; another, none, or an unbound production token does not', () => {
    const cnf = { 'x5t#S256': certificateThumbprint(cert) };
    expect(checkCertificateBinding(cnf, cert, 'production')).toEqual({ ok: true });
    expect(checkCertificateBinding(cnf, other, 'production').ok).toBe(false);
    expect(checkCertificateBinding(cnf, undefined, 'sandbox').ok).toBe(false);
    expect(checkCertificateBinding(undefined, undefined, 'production').ok).toBe(false);
    expect(checkCertificateBinding(undefined, undefined, 'sandbox')).toEqual({ ok: true });
    expect(checkCertificateBinding({ 'x5t#S256': 'short' }, cert, 'production').ok).toBe(false);
  });
});

function selfSigned(cn: string): X509Certificate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const pem = execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      `/CN=${cn}`,
      '-days',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
  return new X509Certificate(pem);
}
