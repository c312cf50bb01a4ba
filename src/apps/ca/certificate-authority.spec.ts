import * as x509 from '@peculiar/x509';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CertificateAuthority,
  clientIdFromUri,
  clientIdUri,
  CsrRejectedError,
  loadOrCreateCa,
  MAX_ORGANISATION_NAME_LENGTH,
  validateCsr,
} from './certificate-authority';

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function mustOpenssl(args: string[]): string {
  const r = openssl(args);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}

let dir: string;
const csr: Record<string, string> = {};

/** A CSR from openssl: `-newkey <spec>` plus key-generation options. */
function makeCsr(name: string, newkey: string[], extra: string[] = []): string {
  const out = join(dir, `${name}.csr`);
  mustOpenssl([
    'req',
    '-new',
    ...newkey,
    '-nodes',
    '-subj',
    '/CN=x',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    out,
    ...extra,
  ]);
  return readFileSync(out, 'utf8');
}

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function expectRejected(pem: string, reason: string, message: RegExp): Promise<void> {
  const error = await validateCsr(pem).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsrRejectedError);
  expect((error as CsrRejectedError).reason).toBe(reason);
  expect((error as CsrRejectedError).message).toMatch(message);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-ca-'));
  csr.rsa2048 = makeCsr('rsa2048', ['-newkey', 'rsa:2048']);
  csr.rsa1024 = makeCsr('rsa1024', ['-newkey', 'rsa:1024']);
  csr.p256 = makeCsr('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  csr.p384 = makeCsr('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);
  csr.p521 = makeCsr('p521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521']);
  csr.ed25519 = makeCsr('ed25519', ['-newkey', 'ed25519']);
  csr.rsaPss = makeCsr('rsapss', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048']);
  csr.sha1 = makeCsr('sha1', ['-newkey', 'rsa:2048'], ['-sha1']);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateCa', () => {
  it('creates an ECDSA P-384 CA (key 0600) and loads the same one again', async () => {
    const keyPath = join(dir, 'create', 'nested', 'ca.key');
    const certPath = join(dir, 'create', 'nested', 'ca.pem');
    const ca = await loadOrCreateCa({ keyPath, certPath, allowCreate: true });

    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(certPath, 'utf8').trim()).toBe(ca.certificatePem.trim());

    const text = mustOpenssl(['x509', '-in', certPath, '-noout', '-text']);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/NIST CURVE: P-384/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA384/);
    expect(mustOpenssl(['x509', '-in', certPath, '-noout', '-subject', '-nameopt', 'RFC2253'])).toContain(
      'subject=CN=Gatehouse Client CA,O=Gatehouse',
    );
    // Self-signed and verifiable as its own trust anchor.
    expect(mustOpenssl(['verify', '-CAfile', certPath, certPath])).toContain('OK');
    const years = (ca.notAfter.getTime() - Date.now()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);

    const again = await loadOrCreateCa({ keyPath, certPath, allowCreate: true });
    expect(again.certificatePem).toBe(ca.certificatePem);
    const withoutCreate = await loadOrCreateCa({ keyPath, certPath, allowCreate: false });
    expect(withoutCreate.thumbprintSha256).toBe(ca.thumbprintSha256);
    expect(readFileSync(certPath, 'utf8').trim()).toBe(ca.certificatePem.trim());
  });

  it('takes a custom subject', async () => {
    const ca = await loadOrCreateCa({
      keyPath: join(dir, 'subject', 'ca.key'),
      certPath: join(dir, 'subject', 'ca.pem'),
      subject: 'C=GB, O=Example Bank, CN=Example Client CA',
      allowCreate: true,
    });
    expect(ca.subject).toBe('C=GB, O=Example Bank, CN=Example Client CA');
  });

  it('refuses a half-present CA instead of replacing anything', async () => {
    const base = join(dir, 'partial');
    const keyPath = join(base, 'ca.key');
    const certPath = join(base, 'ca.pem');
    await loadOrCreateCa({ keyPath, certPath, allowCreate: true });
    const key = readFileSync(keyPath, 'utf8');

    rmSync(certPath);
    await expect(loadOrCreateCa({ keyPath, certPath, allowCreate: true })).rejects.toThrow(
      /half present: .*ca\.key exists but .*ca\.pem does not/,
    );
    expect(readFileSync(keyPath, 'utf8')).toBe(key);

    rmSync(keyPath);
    writeFileSync(certPath, 'x');
    await expect(loadOrCreateCa({ keyPath, certPath, allowCreate: true })).rejects.toThrow(
      /half present: .*ca\.pem exists but .*ca\.key does not/,
    );
  });

  it('refuses to create when not allowed (production)', async () => {
    await expect(
      loadOrCreateCa({
        keyPath: join(dir, 'prod', 'ca.key'),
        certPath: join(dir, 'prod', 'ca.pem'),
        allowCreate: false,
      }),
    ).rejects.toThrow(/do not exist \(set CA_KEY_PATH and CA_CERT_PATH/);
  });

  it('refuses a key that does not belong to the certificate, and a key of the wrong type', async () => {
    const a = { keyPath: join(dir, 'a', 'ca.key'), certPath: join(dir, 'a', 'ca.pem'), allowCreate: true };
    const b = { keyPath: join(dir, 'b', 'ca.key'), certPath: join(dir, 'b', 'ca.pem'), allowCreate: true };
    await loadOrCreateCa(a);
    await loadOrCreateCa(b);
    await expect(
      CertificateAuthority.fromPem(readFileSync(a.keyPath, 'utf8'), readFileSync(b.certPath, 'utf8')),
    ).rejects.toThrow('CA private key does not match the CA certificate');
    await expect(
      CertificateAuthority.fromPem(readFileSync(join(dir, 'p256.key'), 'utf8'), readFileSync(a.certPath, 'utf8')),
    ).rejects.toThrow(/must be ECDSA on P-384/);
  });

  it('two processes creating at once end up with one CA', async () => {
    const options = { keyPath: join(dir, 'race', 'ca.key'), certPath: join(dir, 'race', 'ca.pem'), allowCreate: true };
    const [one, two] = await Promise.all([loadOrCreateCa(options), loadOrCreateCa(options)]);
    expect(one.certificatePem).toBe(two.certificatePem);
  });
});

describe('validateCsr', () => {
  it('accepts RSA 2048 and EC P-256/P-384', async () => {
    expect((await validateCsr(csr.rsa2048)).publicKeyAlgorithm).toBe('RSA-2048');
    expect((await validateCsr(csr.p256)).publicKeyAlgorithm).toBe('EC-P-256');
    expect((await validateCsr(csr.p384)).publicKeyAlgorithm).toBe('EC-P-384');
  });

  it('refuses a 1024-bit RSA key', async () => {
    await expectRejected(csr.rsa1024, 'weak_key', /RSA key is 1024 bits; at least 2048 are required/);
  });

  it('refuses a CSR whose signature was tampered with', async () => {
    for (const name of ['rsa2048', 'p256']) {
      const der = Buffer.from(new x509.Pkcs10CertificateRequest(csr[name]).rawData);
      der[der.length - 5] ^= 0xff;
      await expectRejected(
        x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'),
        'bad_signature',
        /signature does not verify/,
      );
    }
  });

  it('refuses a CSR whose signed content was changed', async () => {
    const der = Buffer.from(new x509.Pkcs10CertificateRequest(csr.rsa2048).rawData);
    const at = der.indexOf(Buffer.from([0x0c, 0x01, 0x78])); // the subject's CN: UTF8String "x"
    expect(at).toBeGreaterThan(0);
    der[at + 2] = 'y'.charCodeAt(0);
    await expectRejected(
      x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'),
      'bad_signature',
      /signature does not verify/,
    );
  });

  it('refuses Ed25519, P-521 and RSA-PSS-only keys, naming what is accepted', async () => {
    await expectRejected(
      csr.ed25519,
      'unsupported_key',
      /key type Ed25519 is not accepted; use RSA \(2048 bits or more\) or EC P-256\/P-384/,
    );
    await expectRejected(csr.p521, 'unsupported_key', /curve P-521; only P-256 and P-384 are accepted/);
    await expectRejected(csr.rsaPss, 'unsupported_key', /RSA-PSS-only key/);
  });

  it('refuses a CSR signed with SHA-1', async () => {
    await expectRejected(csr.sha1, 'weak_signature_algorithm', /SHA-1/);
  });

  it('refuses what is not one PEM certificate request', async () => {
    await expectRejected('', 'malformed', /empty/);
    await expectRejected('hello', 'malformed', /not a single PEM "CERTIFICATE REQUEST" block/);
    await expectRejected(`${csr.p256}\n${csr.p384}`, 'malformed', /not a single PEM/);
    await expectRejected(
      '-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n',
      'malformed',
      /does not parse/,
    );
    await expectRejected('x'.repeat(20_000), 'malformed', /larger than/);
  });
});

describe('CertificateAuthority', () => {
  let ca: CertificateAuthority;
  let caPath: string;

  beforeAll(async () => {
    caPath = join(dir, 'issuer', 'ca.pem');
    ca = await loadOrCreateCa({ keyPath: join(dir, 'issuer', 'ca.key'), certPath: caPath, allowCreate: true });
  });

  it.each([
    ['rsa2048', 'RSA-2048', 'Digital Signature, Key Encipherment'],
    ['p256', 'EC-P-256', 'Digital Signature, Key Agreement'],
  ])('issues a client certificate for a %s CSR that openssl verifies', async (name, algorithm, keyUsage) => {
    const now = new Date();
    const issued = await ca.issue({
      csrPem: csr[name],
      organisationLegalName: 'Acme Payments Ltd',
      clientId: 'app_7Hq2',
      now,
    });
    expect(issued.publicKeyAlgorithm).toBe(algorithm);
    const certPath = writeTemp(`${name}-issued.pem`, issued.certificatePem);

    const verify = openssl(['verify', '-CAfile', caPath, certPath]);
    expect(verify.status).toBe(0);
    expect(verify.out).toContain(`${certPath}: OK`);

    const text = mustOpenssl(['x509', '-in', certPath, '-noout', '-text']);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Client Authentication\s*\n/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*URI:urn:gatehouse:client:app_7Hq2\s*\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\s+${keyUsage}\\s*\\n`));
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA384/);
    expect(mustOpenssl(['x509', '-in', certPath, '-noout', '-subject', '-nameopt', 'RFC2253'])).toContain(
      'subject=CN=app_7Hq2,O=Acme Payments Ltd',
    );

    // Validity: at most 397 days, and it covers `now`.
    const dates = mustOpenssl(['x509', '-in', certPath, '-noout', '-startdate', '-enddate']);
    const notBefore = new Date(/notBefore=(.*)/.exec(dates)![1]);
    const notAfter = new Date(/notAfter=(.*)/.exec(dates)![1]);
    expect(notBefore.getTime()).toBe(issued.notBefore.getTime());
    expect(notAfter.getTime()).toBe(issued.notAfter.getTime());
    expect(notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
    expect((notAfter.getTime() - notBefore.getTime()) / 86_400_000).toBeLessThanOrEqual(397);
    expect((notAfter.getTime() - notBefore.getTime()) / 86_400_000).toBeGreaterThan(396.9);

    // Thumbprint: SHA-256 over the DER, as openssl computes it.
    const fingerprint = mustOpenssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256']);
    expect(issued.thumbprintSha256).toBe(/=([0-9A-F:]+)/.exec(fingerprint)![1].replace(/:/g, '').toLowerCase());
    expect(Buffer.from(issued.x5tS256, 'base64url').toString('hex')).toBe(issued.thumbprintSha256);

    // Serial: the hex we return, positive, at least 128 bits.
    const serial = mustOpenssl(['x509', '-in', certPath, '-noout', '-serial']);
    expect(/serial=([0-9A-F]+)/.exec(serial)![1].toLowerCase()).toBe(issued.serialNumber);
    expect(issued.serialNumber).toMatch(/^[4-7][0-9a-f]{39}$/);
  });

  it('puts a legal name with commas, quotes and other DN specials into O verbatim', async () => {
    const legalName = 'Smith, Jones & "Partners" <UK>; +=\\ #1 Ltd — Zürich';
    const issued = await ca.issue({
      csrPem: csr.p384,
      organisationLegalName: legalName,
      clientId: 'app-1',
      now: new Date(),
    });
    const cert = new x509.X509Certificate(issued.certificatePem);
    expect(cert.subjectName.getField('O')).toEqual([legalName]);
    expect(cert.subjectName.getField('CN')).toEqual(['app-1']);
    const subject = mustOpenssl([
      'x509',
      '-in',
      writeTemp('specials.pem', issued.certificatePem),
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253,-esc_msb',
    ]);
    expect(subject.trim()).toBe(
      'subject=CN=app-1,O=Smith\\, Jones & \\"Partners\\" \\<UK\\>\\; \\+=\\\\ #1 Ltd — Zürich',
    );

    const leadingHash = await ca.issue({
      csrPem: csr.p384,
      organisationLegalName: '#hex? no',
      clientId: 'app-2',
      now: new Date(),
    });
    expect(new x509.X509Certificate(leadingHash.certificatePem).subjectName.getField('O')).toEqual(['#hex? no']);
  });

  it('truncates a legal name longer than 64 characters (RFC 5280 upper bound)', async () => {
    const legalName = `${'A'.repeat(60)} Holdings Public Limited Company`;
    const issued = await ca.issue({
      csrPem: csr.p256,
      organisationLegalName: legalName,
      clientId: 'app-3',
      now: new Date(),
    });
    const o = new x509.X509Certificate(issued.certificatePem).subjectName.getField('O')[0];
    expect(o).toBe(legalName.slice(0, MAX_ORGANISATION_NAME_LENGTH).trimEnd());
  });

  it('gives every certificate a fresh serial, so several can be active for rotation', async () => {
    const params = { csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'app-4', now: new Date() };
    const [a, b] = await Promise.all([ca.issue(params), ca.issue(params)]);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.thumbprintSha256).not.toBe(b.thumbprintSha256);
  });

  it('honours a shorter validity and refuses more than 397 days', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const issued = await ca.issue({
      csrPem: csr.p256,
      organisationLegalName: 'Acme',
      clientId: 'app-5',
      now,
      validityDays: 90,
    });
    expect(issued.notBefore.toISOString()).toBe('2029-12-31T23:59:00.000Z');
    expect(issued.notAfter.toISOString()).toBe('2030-03-31T23:58:59.000Z');
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'app-5', now, validityDays: 398 }),
    ).rejects.toThrow(RangeError);
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'app-5', now, validityDays: 0 }),
    ).rejects.toThrow(RangeError);
  });

  it('refuses to issue beyond the CA certificate, and refuses bad arguments', async () => {
    const farFuture = new Date(ca.notAfter.getTime() - 100 * 86_400_000);
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'app-6', now: farFuture }),
    ).rejects.toThrow(/renew the CA/);
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'no spaces', now: new Date() }),
    ).rejects.toThrow(TypeError);
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: '  ', clientId: 'app-6', now: new Date() }),
    ).rejects.toThrow(/empty/);
    await expect(
      ca.issue({ csrPem: csr.p256, organisationLegalName: 'A\nB', clientId: 'app-6', now: new Date() }),
    ).rejects.toThrow(/control characters/);
  });

  it('refuses a bad CSR with CsrRejectedError', async () => {
    await expect(
      ca.issue({ csrPem: csr.rsa1024, organisationLegalName: 'Acme', clientId: 'app-7', now: new Date() }),
    ).rejects.toThrow(CsrRejectedError);
    await expect(
      ca.issue({ csrPem: csr.ed25519, organisationLegalName: 'Acme', clientId: 'app-7', now: new Date() }),
    ).rejects.toThrow(/Ed25519 is not accepted/);
  });

  it('maps client ids to and from the SAN URI', () => {
    expect(clientIdUri('app_1')).toBe('urn:gatehouse:client:app_1');
    expect(clientIdFromUri('urn:gatehouse:client:app_1')).toBe('app_1');
    expect(clientIdFromUri('https://example.com/app_1')).toBeNull();
    expect(clientIdFromUri('urn:gatehouse:client:a/b')).toBeNull();
  });

  it('lists a revoked certificate in a signed CRL that openssl enforces', async () => {
    const now = new Date();
    const revoked = await ca.issue({ csrPem: csr.rsa2048, organisationLegalName: 'Acme', clientId: 'app-8', now });
    const kept = await ca.issue({ csrPem: csr.p256, organisationLegalName: 'Acme', clientId: 'app-8', now });
    const pem = await ca.crl({
      revoked: [
        { serialNumber: revoked.serialNumber, revokedAt: now, reason: 'keyCompromise' },
        { serialNumber: '0abc', revokedAt: now },
      ],
      now,
      crlNumber: 42,
    });
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----/);
    const crlPath = writeTemp('ca.crl.pem', pem);

    const text = mustOpenssl(['crl', '-in', crlPath, '-noout', '-text']);
    expect(text).toContain(`Serial Number: ${revoked.serialNumber.toUpperCase()}`);
    expect(text).toContain('Serial Number: 0ABC');
    expect(text).toMatch(/Key Compromise/);
    expect(text).toMatch(/Version 2/);
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*42/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
    expect(text).not.toContain(kept.serialNumber.toUpperCase());
    expect(mustOpenssl(['crl', '-in', crlPath, '-noout', '-CAfile', caPath])).toMatch(/verify OK/);

    // No empty crlEntryExtensions for the entry without a reason (RFC 5280: SIZE (1..MAX)).
    expect(mustOpenssl(['asn1parse', '-in', crlPath])).not.toMatch(/l=\s+0 cons:\s+SEQUENCE/);
    // The library reads it back and its signature verifies against the CA certificate.
    const parsed = new x509.X509Crl(pem);
    expect(await parsed.verify({ publicKey: new x509.X509Certificate(ca.certificatePem) })).toBe(true);
    expect(parsed.findRevoked(revoked.serialNumber)).not.toBeNull();

    const revokedPath = writeTemp('revoked.pem', revoked.certificatePem);
    const keptPath = writeTemp('kept.pem', kept.certificatePem);
    const refused = openssl(['verify', '-crl_check', '-CAfile', caPath, '-CRLfile', crlPath, revokedPath]);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/certificate revoked/);
    const accepted = openssl(['verify', '-crl_check', '-CAfile', caPath, '-CRLfile', crlPath, keptPath]);
    expect(accepted.status).toBe(0);
    expect(accepted.out).toContain(`${keptPath}: OK`);
  });

  it('produces an empty CRL, and DER for HTTP', async () => {
    const now = new Date();
    const crlPath = writeTemp('empty.crl.pem', await ca.crl({ revoked: [], now, crlNumber: 1n, nextUpdateHours: 6 }));
    const text = mustOpenssl(['crl', '-in', crlPath, '-noout', '-text']);
    expect(text).toContain('No Revoked Certificates');
    const der = await ca.crlDer({ revoked: [], now, crlNumber: 1 });
    expect(
      mustOpenssl(['crl', '-inform', 'DER', '-in', writeTemp('empty.crl.der', der), '-noout', '-CAfile', caPath]),
    ).toMatch(/verify OK/);
    await expect(ca.crl({ revoked: [{ serialNumber: 'zz', revokedAt: now }], now, crlNumber: 1 })).rejects.toThrow(
      /not hex/,
    );
    await expect(
      ca.crl({
        revoked: [
          { serialNumber: 'ab', revokedAt: now },
          { serialNumber: '00AB', revokedAt: now },
        ],
        now,
        crlNumber: 1,
      }),
    ).rejects.toThrow(/twice/);
  });
});
