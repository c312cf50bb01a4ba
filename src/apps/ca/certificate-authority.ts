// reflect-metadata must be loaded before @peculiar/x509 (its tsyringe container needs it).
import 'reflect-metadata';
import { AsnConvert, AsnIntegerBigIntConverter } from '@peculiar/asn1-schema';
import { CertificateList } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, createPublicKey, KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Gatehouse's client-certificate authority (mutual TLS, RFC 8705): a CA key and self-signed CA
 * certificate, issuance of client-auth certificates from CSRs, and CRLs. Plain classes and functions
 * (no NestJS, no database): callers keep the issued/revoked serials and map `CsrRejectedError` to 4xx.
 *
 * X.509 encoding is done by @peculiar/x509 over Node's WebCrypto. Names are always built from
 * attribute objects (`{ utf8String }`), never from strings: the library's string form parses RFC 2253
 * escapes even inside JSON values (a `"` or `\` in a legal name would be silently mangled, and a
 * leading `#` would be read as hex).
 */

// Node's WebCrypto (Node ≥ 20). Passed explicitly to every call as well, so another module setting a
// different provider cannot change what this file uses.
// (Cast: the library types the provider as the DOM `Crypto`, which Node's type only nearly matches.)
const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CrlGenerator.create>[1]>;
x509.cryptoProvider.set(crypto);

/** The CA key: ECDSA on P-384, signing with SHA-384. */
const CA_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const CA_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-384' } as const;
const CA_VALIDITY_DAYS = 3652; // 10 years
const DAY_MS = 86_400_000;

/** The longest validity of an issued certificate, in days (the CA/Browser Forum's 397-day ceiling). */
export const MAX_CLIENT_CERT_VALIDITY_DAYS = 397;
/** Issued certificates start this much before `now`, for clock skew between servers. */
export const CLIENT_CERT_BACKDATE_MS = 60_000;
/** RFC 5280 ub-organization-name: longer legal names are truncated in the certificate's O attribute. */
export const MAX_ORGANISATION_NAME_LENGTH = 64;
/** RSA keys in CSRs: at least this many bits… */
export const MIN_RSA_MODULUS_BITS = 2048;
/** …and at most this many (TLS stacks such as Go's refuse larger client keys; verifying them is costly). */
export const MAX_RSA_MODULUS_BITS = 8192;
/** A PEM CSR larger than this is refused before parsing (an 8192-bit RSA CSR is about 2.5 kB). */
export const MAX_CSR_PEM_LENGTH = 16_384;
/** Prefix of the SAN URI naming the app: `urn:gatehouse:client:<clientId>`. */
export const CLIENT_ID_URI_PREFIX = 'urn:gatehouse:client:';
/** Client ids go into a URN and a CN verbatim, so only URI-unreserved characters, at most 64. */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;

const DEFAULT_CA_SUBJECT = new x509.Name([
  { O: [{ utf8String: 'Gatehouse' }] },
  { CN: [{ utf8String: 'Gatehouse Client CA' }] },
]);

/** The SAN URI that names an app in its client certificate. */
export function clientIdUri(clientId: string): string {
  assertClientId(clientId);
  return `${CLIENT_ID_URI_PREFIX}${clientId}`;
}

/** The client id named by a SAN URI of ours, or null. For mTLS: read the URI SANs of the presented certificate. */
export function clientIdFromUri(uri: string): string | null {
  if (!uri.startsWith(CLIENT_ID_URI_PREFIX)) return null;
  const id = uri.slice(CLIENT_ID_URI_PREFIX.length);
  return CLIENT_ID_PATTERN.test(id) ? id : null;
}

// ---------------------------------------------------------------------------------------------
// CSR validation

export type CsrRejectionReason =
  | 'malformed' // not one PEM CERTIFICATE REQUEST that parses
  | 'bad_signature' // the self-signature does not verify (tampered, or not signed by the key)
  | 'weak_signature_algorithm' // the CSR is signed with SHA-1/MD5
  | 'weak_key' // RSA shorter than 2048 bits, or a small/even public exponent
  | 'unsupported_key'; // neither RSA (rsaEncryption) nor EC P-256/P-384

/** The CSR is refused; `message` names the reason in plain words. Callers map it to 400/422. */
export class CsrRejectedError extends Error {
  constructor(
    readonly reason: CsrRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'CsrRejectedError';
  }
}

/** `RSA-2048`, `RSA-3072`, …, `EC-P-256` or `EC-P-384`. */
export type PublicKeyAlgorithm = `RSA-${number}` | 'EC-P-256' | 'EC-P-384';

export interface ValidatedCsr {
  request: x509.Pkcs10CertificateRequest;
  publicKeyAlgorithm: PublicKeyAlgorithm;
  keyType: 'rsa' | 'ec';
  /** SHA-256 over the SubjectPublicKeyInfo, hex: lets a caller notice one key used for two apps. */
  spkiSha256: string;
}

const PEM_CSR =
  /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1CERTIFICATE REQUEST-----$/;
const ACCEPTED_CSR_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

/**
 * Parses a PEM CSR and checks it: exactly one `CERTIFICATE REQUEST` block; the key is RSA
 * (rsaEncryption, 2048–8192 bits, odd exponent ≥ 65537) or EC on P-256 or P-384; the self-signature
 * verifies and uses SHA-256/384/512. Everything else (Ed25519/Ed448, P-521, secp256k1, RSA-PSS-only
 * keys, DSA, 1024-bit RSA, SHA-1) is refused with a `CsrRejectedError`. The CSR's subject and requested
 * extensions are ignored: the CA decides the whole certificate.
 */
export async function validateCsr(csrPem: string): Promise<ValidatedCsr> {
  if (typeof csrPem !== 'string' || csrPem.length === 0) throw new CsrRejectedError('malformed', 'CSR is empty');
  if (csrPem.length > MAX_CSR_PEM_LENGTH)
    throw new CsrRejectedError('malformed', `CSR is larger than ${MAX_CSR_PEM_LENGTH} characters`);
  const match = PEM_CSR.exec(csrPem.trim());
  if (!match) throw new CsrRejectedError('malformed', 'CSR is not a single PEM "CERTIFICATE REQUEST" block');
  const der = Buffer.from(match[2].replace(/[\r\n]/g, ''), 'base64');

  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(der);
  } catch {
    throw new CsrRejectedError('malformed', 'CSR does not parse as a PKCS#10 certificate request');
  }
  if (request.rawData.byteLength !== der.length)
    throw new CsrRejectedError('malformed', 'CSR has trailing data after the certificate request');

  const { keyType, publicKeyAlgorithm } = checkCsrKey(request);

  const hash = hashName(request.signatureAlgorithm);
  if (!hash || !ACCEPTED_CSR_HASHES.has(hash)) {
    throw new CsrRejectedError(
      'weak_signature_algorithm',
      `CSR signature algorithm is not accepted (${hash ?? 'unknown hash'}); sign it with SHA-256 or stronger`,
    );
  }
  let verified = false;
  try {
    verified = await request.verify(crypto);
  } catch {
    verified = false;
  }
  if (!verified) throw new CsrRejectedError('bad_signature', 'CSR signature does not verify with its public key');

  const spkiSha256 = createHash('sha256').update(Buffer.from(request.publicKey.rawData)).digest('hex');
  return { request, keyType, publicKeyAlgorithm, spkiSha256 };
}

function checkCsrKey(request: x509.Pkcs10CertificateRequest): {
  keyType: 'rsa' | 'ec';
  publicKeyAlgorithm: PublicKeyAlgorithm;
} {
  let algorithm: webcrypto.Algorithm & { namedCurve?: string; modulusLength?: number; publicExponent?: Uint8Array };
  try {
    algorithm = request.publicKey.algorithm;
  } catch {
    throw new CsrRejectedError(
      'unsupported_key',
      'CSR public key algorithm is not supported; use RSA (2048 bits or more) or EC P-256/P-384',
    );
  }
  const name = algorithm.name;
  if (name === 'RSASSA-PKCS1-v1_5') {
    const bits = algorithm.modulusLength ?? 0;
    if (bits < MIN_RSA_MODULUS_BITS)
      throw new CsrRejectedError(
        'weak_key',
        `CSR RSA key is ${bits} bits; at least ${MIN_RSA_MODULUS_BITS} are required`,
      );
    if (bits > MAX_RSA_MODULUS_BITS)
      throw new CsrRejectedError(
        'unsupported_key',
        `CSR RSA key is ${bits} bits; at most ${MAX_RSA_MODULUS_BITS} are accepted`,
      );
    const e = algorithm.publicExponent
      ? BigInt(`0x${Buffer.from(algorithm.publicExponent).toString('hex') || '0'}`)
      : 0n;
    if (e < 65537n || e % 2n === 0n)
      throw new CsrRejectedError('weak_key', 'CSR RSA public exponent must be odd and at least 65537');
    return { keyType: 'rsa', publicKeyAlgorithm: `RSA-${bits}` };
  }
  if (name === 'ECDSA') {
    const curve = algorithm.namedCurve;
    if (curve === 'P-256') return { keyType: 'ec', publicKeyAlgorithm: 'EC-P-256' };
    if (curve === 'P-384') return { keyType: 'ec', publicKeyAlgorithm: 'EC-P-384' };
    throw new CsrRejectedError(
      'unsupported_key',
      `CSR EC key is on curve ${curve ?? 'unknown'}; only P-256 and P-384 are accepted`,
    );
  }
  if (name === 'RSA-PSS') {
    throw new CsrRejectedError(
      'unsupported_key',
      'CSR key is an RSA-PSS-only key; use an ordinary RSA key (rsaEncryption) or EC P-256/P-384',
    );
  }
  throw new CsrRejectedError(
    'unsupported_key',
    `CSR key type ${name} is not accepted; use RSA (2048 bits or more) or EC P-256/P-384`,
  );
}

function hashName(algorithm: { hash?: unknown }): string | null {
  const hash = algorithm.hash;
  if (typeof hash === 'string') return hash.toUpperCase();
  if (hash && typeof hash === 'object' && 'name' in hash && typeof hash.name === 'string')
    return hash.name.toUpperCase();
  return null;
}

// ---------------------------------------------------------------------------------------------
// The CA

export interface IssueParams {
  csrPem: string;
  /** The organisation's verified legal name: the certificate's O (UTF8String, truncated to 64 characters). */
  organisationLegalName: string;
  /** The app's client id: the certificate's CN and the SAN URI `urn:gatehouse:client:<clientId>`. */
  clientId: string;
  now: Date;
  /** Whole days, 1–397; default 397. */
  validityDays?: number;
}

export interface IssuedCertificate {
  /** Lower-case hex, as in the certificate (positive, 20 octets, 158 random bits). */
  serialNumber: string;
  certificatePem: string;
  /** Lower-case hex of SHA-256 over the certificate's DER. */
  thumbprintSha256: string;
  /** The same digest as base64url: the RFC 8705 `x5t#S256` confirmation of certificate-bound tokens. */
  x5tS256: string;
  notBefore: Date;
  notAfter: Date;
  publicKeyAlgorithm: PublicKeyAlgorithm;
  /** SHA-256 over the subject public key info, hex. */
  spkiSha256: string;
}

/** RFC 5280 reason codes that make sense for an app's client certificate. */
export type RevocationReason =
  'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation' | 'privilegeWithdrawn';

export interface RevokedEntry {
  /** Hex, as returned by `issue` (case and a leading 00 do not matter). */
  serialNumber: string;
  revokedAt: Date;
  reason?: RevocationReason;
}

export interface CrlParams {
  revoked: readonly RevokedEntry[];
  now: Date;
  /** nextUpdate = now + this; default 24. */
  nextUpdateHours?: number;
  /** Monotonically increasing CRL number (RFC 5280 §5.2.3); keep it in the database. */
  crlNumber: number | bigint;
}

export class CertificateAuthority {
  private constructor(
    private readonly signingKey: webcrypto.CryptoKey,
    private readonly privateKey: KeyObject,
    private readonly certificate: x509.X509Certificate,
    private readonly keyIdentifierHex: string,
  ) {}

  /**
   * A CA from its private key (PKCS#8 or SEC1 PEM, unencrypted, ECDSA P-384) and certificate (PEM).
   * Refuses a key that does not match the certificate, and a certificate that is not a CA able to sign
   * certificates and CRLs.
   */
  static async fromPem(keyPem: string, certificatePem: string): Promise<CertificateAuthority> {
    let keyObject;
    try {
      keyObject = createPrivateKey({ key: keyPem, format: 'pem' });
    } catch (e) {
      throw new Error(`CA private key does not parse (an unencrypted PKCS#8 PEM is expected): ${(e as Error).message}`);
    }
    if (keyObject.asymmetricKeyType !== 'ec' || keyObject.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
      throw new Error(
        `CA private key must be ECDSA on P-384 (got ${keyObject.asymmetricKeyType ?? 'unknown'} ${keyObject.asymmetricKeyDetails?.namedCurve ?? ''})`.trim(),
      );
    }
    let certificate: x509.X509Certificate;
    try {
      certificate = new x509.X509Certificate(certificatePem);
    } catch (e) {
      throw new Error(`CA certificate does not parse: ${(e as Error).message}`);
    }
    const spkiFromKey = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
    if (!spkiFromKey.equals(Buffer.from(certificate.publicKey.rawData))) {
      throw new Error('CA private key does not match the CA certificate');
    }
    const basic = certificate.getExtension(x509.BasicConstraintsExtension);
    if (!basic?.ca) throw new Error('CA certificate lacks basicConstraints CA:TRUE');
    const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
    if (
      keyUsage &&
      (!(keyUsage.usages & x509.KeyUsageFlags.keyCertSign) || !(keyUsage.usages & x509.KeyUsageFlags.cRLSign))
    ) {
      throw new Error('CA certificate key usage must include keyCertSign and cRLSign');
    }
    const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
    const keyIdentifierHex = ski
      ? ski.keyId
      : Buffer.from(await certificate.publicKey.getKeyIdentifier(crypto)).toString('hex');

    const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
    const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, CA_KEY_ALGORITHM, false, ['sign']);
    return new CertificateAuthority(signingKey, keyObject, certificate, keyIdentifierHex);
  }

  /** The CA certificate, PEM (for GET /v1/ca.pem and for TLS servers' client-CA list). */
  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  /** The CA certificate's subject (the library's string form, in DER order). */
  get subject(): string {
    return this.certificate.subject;
  }

  get notAfter(): Date {
    return this.certificate.notAfter;
  }

  /** SHA-256 of the CA certificate's DER, hex. */
  get thumbprintSha256(): string {
    return createHash('sha256').update(Buffer.from(this.certificate.rawData)).digest('hex');
  }

  /**
   * Issues a client-auth certificate for the CSR's key. Subject `O=<legal name>, CN=<clientId>`
   * (DER order; RFC 4514 `CN=<clientId>,O=<legal name>`), SAN URI `urn:gatehouse:client:<clientId>`,
   * EKU clientAuth only, keyUsage digitalSignature + keyEncipherment (RSA) or + keyAgreement (EC),
   * basicConstraints CA:FALSE (critical), SKI and AKI, a random serial, ECDSA-with-SHA-384.
   * Throws `CsrRejectedError` for a CSR that is refused, `TypeError`/`RangeError` for bad arguments,
   * and `Error` when the CA certificate does not cover the requested validity.
   */
  async issue(params: IssueParams): Promise<IssuedCertificate> {
    const { clientId, now } = params;
    assertClientId(clientId);
    const legalName = organisationName(params.organisationLegalName);
    const validityDays = params.validityDays ?? MAX_CLIENT_CERT_VALIDITY_DAYS;
    if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_CLIENT_CERT_VALIDITY_DAYS) {
      throw new RangeError(`validityDays must be a whole number from 1 to ${MAX_CLIENT_CERT_VALIDITY_DAYS}`);
    }
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');

    const csr = await validateCsr(params.csrPem);

    // X.509 times have whole seconds; notAfter is inclusive, so the period is exactly validityDays.
    const notBefore = new Date(Math.floor((now.getTime() - CLIENT_CERT_BACKDATE_MS) / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + validityDays * DAY_MS - 1000);
    if (now < this.certificate.notBefore) throw new Error('CA certificate is not valid yet');
    if (notAfter > this.certificate.notAfter) {
      throw new Error(
        `CA certificate expires (${this.certificate.notAfter.toISOString()}) before the requested validity ends; renew the CA`,
      );
    }

    const keyUsage =
      x509.KeyUsageFlags.digitalSignature |
      (csr.keyType === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement);
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerialNumber(),
        subject: new x509.Name([{ O: [{ utf8String: legalName }] }, { CN: [{ utf8String: clientId }] }]),
        issuer: this.certificate.subjectName,
        notBefore,
        notAfter,
        publicKey: csr.request.publicKey,
        signingKey: this.signingKey,
        signingAlgorithm: CA_SIGNING_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(keyUsage, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: clientIdUri(clientId) }], false),
          await x509.SubjectKeyIdentifierExtension.create(csr.request.publicKey, false, crypto),
          new x509.AuthorityKeyIdentifierExtension(this.keyIdentifierHex, false),
        ],
      },
      crypto,
    );

    const digest = createHash('sha256').update(Buffer.from(certificate.rawData)).digest();
    return {
      serialNumber: certificate.serialNumber.toLowerCase(),
      certificatePem: certificate.toString('pem'),
      thumbprintSha256: digest.toString('hex'),
      x5tS256: digest.toString('base64url'),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      publicKeyAlgorithm: csr.publicKeyAlgorithm,
      spkiSha256: csr.spkiSha256,
    };
  }

  /**
   * A development TLS server certificate (the mTLS listener outside production): a fresh ECDSA P-256
   * key, subject CN=<first name>, SAN DNS names and IP addresses, EKU serverAuth only, CA:FALSE,
   * signed by this CA so clients that trust the CA trust the listener. Returns PEM key and certificate.
   */
  async issueServerCertificate(params: {
    dnsNames: string[];
    ipAddresses: string[];
    now: Date;
    validityDays: number;
  }): Promise<{ keyPem: string; certificatePem: string }> {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const notBefore = new Date(Math.floor((params.now.getTime() - CLIENT_CERT_BACKDATE_MS) / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + params.validityDays * DAY_MS - 1000);
    if (notAfter > this.certificate.notAfter)
      throw new Error('CA certificate expires before the server certificate would');
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerialNumber(),
        subject: new x509.Name([{ CN: [{ utf8String: params.dnsNames[0] ?? 'localhost' }] }]),
        issuer: this.certificate.subjectName,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: this.signingKey,
        signingAlgorithm: CA_SIGNING_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
          new x509.SubjectAlternativeNameExtension(
            [
              ...params.dnsNames.map((value) => ({ type: 'dns' as const, value })),
              ...params.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
            ],
            false,
          ),
          new x509.AuthorityKeyIdentifierExtension(this.keyIdentifierHex, false),
        ],
      },
      crypto,
    );
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), certificatePem: certificate.toString('pem') };
  }

  /**
   * A v2 CRL signed by the CA (PEM), with authority key identifier and CRL number extensions and a
   * reason code on entries whose reason is not `unspecified`. Serve it as DER (`crlDer`) with
   * `application/pkix-crl` if relying parties fetch it over HTTP (RFC 5280 §4.2.1.13).
   */
  async crl(params: CrlParams): Promise<string> {
    // RFC 7468 label; the library's own PEM says "CRL", which OpenSSL does not read.
    return x509.PemConverter.encode(Uint8Array.from(await this.crlDer(params)), 'X509 CRL');
  }

  /** The same CRL as `crl`, DER-encoded. */
  async crlDer(params: CrlParams): Promise<Buffer> {
    const generated = Buffer.from((await this.buildCrl(params)).rawData);
    return this.withoutEmptyEntryExtensions(generated);
  }

  private async buildCrl(params: CrlParams): Promise<x509.X509Crl> {
    const { now } = params;
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
    const hours = params.nextUpdateHours ?? 24;
    if (!(hours > 0) || !Number.isFinite(hours)) throw new RangeError('nextUpdateHours must be a positive number');
    const seen = new Set<string>();
    const entries: x509.X509CrlEntryParams[] = params.revoked.map((r) => {
      const serialNumber = normaliseSerial(r.serialNumber);
      if (seen.has(serialNumber)) throw new Error(`serial ${serialNumber} is listed twice`);
      seen.add(serialNumber);
      const reason = r.reason ? x509.X509CrlReason[r.reason] : undefined;
      return { serialNumber, revocationDate: r.revokedAt, ...(reason ? { reason } : {}) };
    });
    return x509.X509CrlGenerator.create(
      {
        issuer: this.certificate.subjectName,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + hours * 3_600_000),
        signingKey: this.signingKey,
        signingAlgorithm: CA_SIGNING_ALGORITHM,
        extensions: [
          new x509.AuthorityKeyIdentifierExtension(this.keyIdentifierHex, false),
          new x509.Extension('2.5.29.20', false, derInteger(BigInt(params.crlNumber))),
        ],
        entries,
      },
      crypto,
    );
  }

  /**
   * @peculiar/x509 2.2.0 writes an empty `crlEntryExtensions` SEQUENCE for an entry without a reason,
   * which RFC 5280 does not allow (SIZE (1..MAX)); strict DER parsers may refuse the CRL. Drop those
   * and sign the corrected TBSCertList again (same algorithm: ECDSA with SHA-384).
   *
   * The CRL is decoded and re-encoded with @peculiar/asn1-x509, the schema @peculiar/x509 itself
   * encodes with, so every other field comes back byte for byte. That schema already decodes an
   * empty extensions SEQUENCE as absent (and the loop below makes sure of it), so the re-encoded
   * TBSCertList differs from the original exactly when an empty one was dropped.
   */
  private withoutEmptyEntryExtensions(der: Buffer): Buffer {
    const crl = AsnConvert.parse(der, CertificateList);
    for (const entry of crl.tbsCertList.revokedCertificates ?? []) {
      if (entry.crlEntryExtensions?.length === 0) entry.crlEntryExtensions = undefined;
    }
    const tbs = Buffer.from(AsnConvert.serialize(crl.tbsCertList));
    if (crl.tbsCertListRaw && tbs.equals(Buffer.from(crl.tbsCertListRaw))) return der;
    const signature = sign('sha384', tbs, { key: this.privateKey, dsaEncoding: 'der' });
    const signed = new CertificateList({
      tbsCertList: crl.tbsCertList,
      signatureAlgorithm: crl.signatureAlgorithm,
      signature: Uint8Array.from(signature).buffer,
    });
    return Buffer.from(AsnConvert.serialize(signed));
  }
}

// ---------------------------------------------------------------------------------------------
// Loading or creating the CA on disk

export interface LoadOrCreateCaOptions {
  /** PEM private key (PKCS#8). Production: CA_KEY_PATH; development: `<varDir>/ca/ca.key`. */
  keyPath: string;
  /** PEM certificate. Production: CA_CERT_PATH; development: `<varDir>/ca/ca.pem`. */
  certPath: string;
  /**
   * Subject of a created CA certificate, in the library's RFC 2253-style string form, written in DER
   * order (e.g. `O=Gatehouse, CN=Gatehouse Client CA`). Default: O=Gatehouse, CN=Gatehouse Client CA.
   */
  subject?: string;
  /** Generate a key and certificate when neither file exists (development). Production passes false. */
  allowCreate: boolean;
  /** For tests: the creation time. */
  now?: Date;
}

/**
 * Loads the CA from `keyPath` and `certPath`; when neither exists and `allowCreate`, generates an
 * ECDSA P-384 key and a self-signed 10-year CA certificate and writes them (key 0600, never
 * overwriting). Exactly one of the two files present is an error: nothing is guessed or replaced.
 */
export async function loadOrCreateCa(options: LoadOrCreateCaOptions): Promise<CertificateAuthority> {
  const { keyPath, certPath } = options;
  const [keyExists, certExists] = await Promise.all([exists(keyPath), exists(certPath)]);
  if (keyExists && certExists) return loadCa(keyPath, certPath);
  if (keyExists !== certExists) {
    const [present, missing] = keyExists ? [keyPath, certPath] : [certPath, keyPath];
    throw new Error(
      `CA is half present: ${present} exists but ${missing} does not. Restore the missing file, or remove both to create a new CA (every issued client certificate then stops verifying).`,
    );
  }
  if (!options.allowCreate) {
    throw new Error(
      `CA key ${keyPath} and certificate ${certPath} do not exist (set CA_KEY_PATH and CA_CERT_PATH to an existing CA)`,
    );
  }

  const { keyPem, certificatePem } = await createCaMaterial(options.subject, options.now ?? new Date());
  await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
  await mkdir(dirname(certPath), { recursive: true });
  try {
    await writeFile(keyPath, keyPem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process (an API beside a worker) is creating the CA at the same moment: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return waitAndLoad(keyPath, certPath);
    throw e;
  }
  try {
    await writeFile(certPath, certificatePem, { mode: 0o644, flag: 'wx' });
  } catch (e) {
    await unlink(keyPath).catch(() => undefined);
    throw e;
  }
  return loadCa(keyPath, certPath);
}

async function createCaMaterial(
  subject: string | undefined,
  now: Date,
): Promise<{ keyPem: string; certificatePem: string }> {
  const keys = (await webcrypto.subtle.generateKey(CA_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const name = subject ? new x509.Name(subject) : DEFAULT_CA_SUBJECT;
  const notBefore = new Date(Math.floor((now.getTime() - CLIENT_CERT_BACKDATE_MS) / 1000) * 1000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name,
      notBefore,
      notAfter: new Date(notBefore.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: CA_SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), certificatePem: certificate.toString('pem') };
}

async function loadCa(keyPath: string, certPath: string): Promise<CertificateAuthority> {
  const [keyPem, certificatePem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return CertificateAuthority.fromPem(keyPem, certificatePem);
}

async function waitAndLoad(keyPath: string, certPath: string): Promise<CertificateAuthority> {
  for (let i = 0; i < 50; i++) {
    if (await exists(certPath)) return loadCa(keyPath, certPath);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CA key ${keyPath} appeared but ${certPath} did not within 5 s (another process failed half-way?)`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function assertClientId(clientId: string): void {
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) {
    throw new TypeError('clientId must be 1–64 characters of A–Z, a–z, 0–9, ".", "_", "~" or "-"');
  }
}

function organisationName(legalName: string): string {
  if (typeof legalName !== 'string') throw new TypeError('organisationLegalName must be a string');
  if (/[\u0000-\u001f\u007f]/.test(legalName)) throw new TypeError('organisationLegalName contains control characters');
  const trimmed = legalName.normalize('NFC').trim();
  if (!trimmed) throw new TypeError('organisationLegalName is empty');
  const codePoints = Array.from(trimmed);
  return codePoints.length <= MAX_ORGANISATION_NAME_LENGTH
    ? trimmed
    : codePoints.slice(0, MAX_ORGANISATION_NAME_LENGTH).join('').trimEnd();
}

/** 20 octets, the first in 0x40–0x7f: positive, no leading zero to strip, 158 random bits. */
function randomSerialNumber(): string {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function normaliseSerial(serial: string): string {
  if (typeof serial !== 'string' || !/^[0-9a-fA-F]{1,42}$/.test(serial))
    throw new TypeError(`serial number is not hex: ${String(serial)}`);
  const padded = serial.length % 2 ? `0${serial}` : serial;
  return padded.toLowerCase().replace(/^(00)+(?=..)/, '');
}

/** DER INTEGER of a non-negative value of at most 20 octets (RFC 5280 §5.2.3's CRL number limit). */
function derInteger(value: bigint): Uint8Array<ArrayBuffer> {
  if (value < 0n) throw new RangeError('crlNumber must not be negative');
  if (value >= 1n << 160n) throw new RangeError('crlNumber must fit in 20 octets');
  return new Uint8Array(AsnConvert.serialize(AsnIntegerBigIntConverter.toASN(value)));
}
