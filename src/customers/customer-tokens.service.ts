import { Inject, Injectable, Logger } from '@nestjs/common';
import { JWTPayload, JWTVerifyGetKey, SignJWT, createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';

/** Signing algorithms accepted on customer tokens (SPEC; FAPI 2.0 §5.4: no RSA PKCS#1 v1.5, no HMAC, no none). */
export const CUSTOMER_TOKEN_ALGORITHMS = ['ES256', 'PS256', 'EdDSA'];
/** Allowed clock skew between the identity provider and Gatehouse, in seconds. */
const CLOCK_TOLERANCE_S = 30;
/**
 * Longest wait for the bank's JWKS, in milliseconds. A verification that needs a fetch waits for it,
 * so this bounds the latency a slow identity provider adds to a customer request (jose's default: 5 s).
 */
const JWKS_TIMEOUT_MS = 3_000;

/** The bank's JWKS could not be fetched or read: no key can be trusted, the token is refused. */
class SigningKeysUnavailable extends Error {}

/** The verified claims Gatehouse uses. */
export interface CustomerClaims {
  sub: string;
  email: string | null;
  /** The token's `exp`. */
  expiresAt: Date;
}

export type CustomerTokenResult = { ok: true; claims: CustomerClaims } | { ok: false; reason: string };

interface DevelopmentKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

/**
 * Verifies customers' bearer JWTs with `jose` against the configured key (CUSTOMER_JWT_PUBLIC_KEY)
 * or JWKS (CUSTOMER_JWKS_URL, cached and refetched on an unknown `kid` by createRemoteJWKSet), and,
 * outside production, against Gatehouse's development key (Ed25519, under `<varDir>/keys/`), which
 * also mints sandbox customers' tokens. `iss`, `aud` (when configured) and `exp` are required.
 */
@Injectable()
export class CustomerTokens {
  private readonly logger = new Logger(CustomerTokens.name);
  private readonly configured?: KeyObject | JWTVerifyGetKey;
  private readonly development?: DevelopmentKey;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const auth = config.customerAuth;
    if (auth.jwksUrl) {
      // Explicit, not jose's defaults (10 min cache): a key the bank removes stops working within
      // jwksMaxAgeSeconds; see docs/decisions.md "Customer tokens from the bank's JWKS".
      this.configured = createRemoteJWKSet(new URL(auth.jwksUrl), {
        cacheMaxAge: auth.jwksMaxAgeSeconds * 1000,
        cooldownDuration: auth.jwksCooldownSeconds * 1000,
        timeoutDuration: JWKS_TIMEOUT_MS,
      });
    } else if (auth.jwtPublicKey) {
      this.configured = createPublicKey(auth.jwtPublicKey);
    }
    if (config.env !== 'production') this.development = loadDevelopmentKey(config, (m) => this.logger.warn(m));
  }

  /** Checks a compact JWS; `reason` says what was wrong in words safe to return to the caller. */
  async verify(token: string): Promise<CustomerTokenResult> {
    const auth = this.config.customerAuth;
    const getKey: JWTVerifyGetKey = async (header, jws) => {
      if (this.development && header.kid === this.development.kid) return this.development.publicKey;
      if (typeof this.configured === 'function') return this.remoteKey(this.configured, header, jws);
      if (this.configured) return this.configured;
      throw new joseErrors.JWKSNoMatchingKey();
    };
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: CUSTOMER_TOKEN_ALGORITHMS,
        issuer: auth.issuer,
        audience: auth.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      return { ok: true, claims: claimsOf(payload) };
    } catch (e) {
      return { ok: false, reason: reasonFor(e) };
    }
  }

  /**
   * The key for `header` from the bank's JWKS. "No such key" stays itself (the token is not signed
   * by a trusted key); anything else (the JWKS unreachable, slow, not 200, not a key set) becomes
   * SigningKeysUnavailable, logged without the token, so the caller is told the keys are at fault.
   */
  private async remoteKey(
    jwks: JWTVerifyGetKey,
    header: Parameters<JWTVerifyGetKey>[0],
    jws: Parameters<JWTVerifyGetKey>[1],
  ) {
    try {
      return await jwks(header, jws);
    } catch (e) {
      if (
        e instanceof joseErrors.JWKSNoMatchingKey ||
        e instanceof joseErrors.JWKSMultipleMatchingKeys ||
        e instanceof joseErrors.JOSENotSupported
      ) {
        throw e;
      }
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      this.logger.warn(
        `the customer JWKS could not be fetched: ${(e as Error).name}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`,
      );
      throw new SigningKeysUnavailable();
    }
  }

  /** Whether tokens can be minted here: outside production only. */
  get canMint(): boolean {
    return this.development !== undefined;
  }

  /** A development-key token for a sandbox customer (outside production only), valid `ttlSeconds`. */
  async mint(sub: string, email: string | null, ttlSeconds: number): Promise<string> {
    if (!this.development) throw new Error('customer tokens are not minted in production');
    const auth = this.config.customerAuth;
    const jwt = new SignJWT(email ? { email } : {})
      .setProtectedHeader({ alg: 'EdDSA', kid: this.development.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(auth.issuer!)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`);
    if (auth.audience) jwt.setAudience(auth.audience);
    return jwt.sign(this.development.privateKey);
  }
}

function claimsOf(payload: JWTPayload): CustomerClaims {
  const email = typeof payload.email === 'string' && payload.email.length <= 320 ? payload.email : null;
  return { sub: payload.sub!, email, expiresAt: new Date(payload.exp! * 1000) };
}

function reasonFor(e: unknown): string {
  if (e instanceof SigningKeysUnavailable) {
    return "The bank's signing keys could not be fetched to check the customer token; try again shortly";
  }
  if (e instanceof joseErrors.JWTExpired) return 'The customer token has expired; sign in again';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return 'The customer token is from an issuer Gatehouse does not accept';
    if (e.claim === 'aud') return 'The customer token is not meant for Gatehouse (audience)';
    return `The customer token's "${e.claim}" claim is missing or invalid`;
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed || e instanceof joseErrors.JOSENotSupported) {
    return `The customer token must be signed with ${CUSTOMER_TOKEN_ALGORITHMS.join(', ')}`;
  }
  if (
    e instanceof joseErrors.JWSSignatureVerificationFailed ||
    e instanceof joseErrors.JWKSNoMatchingKey ||
    e instanceof TypeError
  ) {
    return 'The customer token is not signed by a key Gatehouse trusts';
  }
  return 'The customer token is not a valid JWT';
}

/** Ed25519, generated once under `<varDir>/keys/` outside production; named by its thumbprint. */
function loadDevelopmentKey(config: AppConfig, warn: (msg: string) => void): DevelopmentKey {
  const path = join(config.varDir, 'keys', 'customer-jwt-ed25519.pem');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      warn(`generated a DEVELOPMENT customer token key at ${path}; it signs sandbox customers' tokens`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = `gatehouse-dev-${createHash('sha256').update(der).digest('base64url').slice(0, 16)}`;
  return { privateKey, publicKey, kid };
}
