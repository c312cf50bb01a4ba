import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, loadOrCreateCa } from '../apps/ca/certificate-authority';
import { verifyGatehouseCertificate } from './client-certificate';

/** verifyGatehouseCertificate against real CAs (the one in src/apps/ca), certificates from openssl CSRs. */
describe('verifyGatehouseCertificate', () => {
  let dir: string;
  let ours: CertificateAuthority;
  let theirs: CertificateAuthority;
  let csr: string;
  const DAY = 86_400_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
    // Our CA is a month old, so it can issue a certificate that has already expired.
    ours = await loadOrCreateCa({
      keyPath: join(dir, 'a.key'),
      certPath: join(dir, 'a.pem'),
      allowCreate: true,
      now: new Date(Date.now() - 30 * DAY),
    });
    theirs = await loadOrCreateCa({ keyPath: join(dir, 'b.key'), certPath: join(dir, 'b.pem'), allowCreate: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'k.pem',
        '-subj',
        '/CN=x',
        '-out',
        'r.csr',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    csr = readFileSync(join(dir, 'r.csr'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const issue = async (ca: CertificateAuthority, now = new Date(), validityDays = 30) =>
    new X509Certificate(
      (
        await ca.issue({
          csrPem: csr,
          organisationLegalName: 'Budgetly Ltd',
          clientId: 'ghc_live_abc',
          now,
          validityDays,
        })
      ).certificatePem,
    );
  const caCert = () => new X509Certificate(ours.certificatePem);

  it('accepts a live certificate of our CA and names its client id and SHA-256 thumbprint (hex)', async () => {
    const cert = await issue(ours);
    expect(verifyGatehouseCertificate(cert, caCert())).toEqual({
      ok: true,
      clientId: 'ghc_live_abc',
      thumbprintHex: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
  });

  it('refuses another CA’s certificate, an expired one, one not yet valid, and a server certificate', async () => {
    expect(verifyGatehouseCertificate(await issue(theirs), caCert())).toEqual({
      ok: false,
      reason: 'not_issued_by_gatehouse',
    });
    const expired = await issue(ours, new Date(Date.now() - 10 * DAY), 2);
    expect(verifyGatehouseCertificate(expired, caCert())).toEqual({ ok: false, reason: 'not_valid_now' });
    const live = await issue(ours);
    expect(verifyGatehouseCertificate(live, caCert(), new Date(Date.now() - DAY))).toEqual({
      ok: false,
      reason: 'not_valid_now',
    });
    const server = await ours.issueServerCertificate({
      dnsNames: ['localhost'],
      ipAddresses: [],
      now: new Date(),
      validityDays: 1,
    });
    expect(verifyGatehouseCertificate(new X509Certificate(server.certificatePem), caCert())).toEqual({
      ok: false,
      reason: 'not_for_client_auth',
    });
    // Our CA's own certificate is not a client certificate either.
    expect(verifyGatehouseCertificate(caCert(), caCert()).ok).toBe(false);
  });
});
