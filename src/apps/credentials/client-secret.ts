import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CREDENTIAL_PREFIX, isWellFormedCredential, newCredential } from '../../common/crypto/credential-format';

/**
 * Client identifiers and client secrets for third-party apps. Pure functions: no NestJS, no
 * database, and the clock is always passed in.
 *
 * Formats (the prefixes let secret scanners recognise a leaked secret as Gatehouse's and tell a
 * sandbox one from a live one at a glance; see common/crypto/credential-format.ts):
 *   client secret  gatehouse_sandbox_<48 chars> / gatehouse_live_<48 chars>
 *                  (base64url of 32 random bytes and their CRC-32)
 *   client id      ghc_sandbox_<22 chars> /  ghc_live_<22 chars>  (base64url of 16 random bytes)
 */

export type AppEnvironment = 'sandbox' | 'production';

export const APP_ENVIRONMENTS: readonly AppEnvironment[] = ['sandbox', 'production'];

const SECRET_PREFIX: Record<AppEnvironment, string> = {
  sandbox: CREDENTIAL_PREFIX.sandboxClientSecret,
  production: CREDENTIAL_PREFIX.liveClientSecret,
};
const CLIENT_ID_PREFIX: Record<AppEnvironment, string> = { sandbox: 'ghc_sandbox_', production: 'ghc_live_' };

/** 16 bytes = 128 bits; base64url is 22 characters. */
const CLIENT_ID_BYTES = 16;
const CLIENT_ID_BODY_LENGTH = 22;
/** Characters of the random part shown next to the environment prefix in listings. */
const DISPLAY_RANDOM_CHARS = 4;
/** The pepper is an HMAC key: at least as long as the hash output. */
export const MIN_PEPPER_BYTES = 32;

export const DEFAULT_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

const BASE64URL = '[A-Za-z0-9_-]';
const CLIENT_ID_PATTERN: Record<AppEnvironment, RegExp> = {
  sandbox: new RegExp(`^ghc_sandbox_${BASE64URL}{${CLIENT_ID_BODY_LENGTH}}$`),
  production: new RegExp(`^ghc_live_${BASE64URL}{${CLIENT_ID_BODY_LENGTH}}$`),
};

/** A new client secret (256 random bits): shown to the developer once, then only its hash is kept. */
export function generateClientSecret(environment: AppEnvironment): string {
  return newCredential(SECRET_PREFIX[environment]);
}

/**
 * A new public client identifier. It is not a secret (it travels in authorisation URLs and logs),
 * so 128 random bits are plenty: a collision is astronomically unlikely (birthday bound ~2^64
 * ids), and the column's unique index turns the impossible case into a retryable insert error
 * rather than a shared identity. Random rather than derived from the app's UUID, so the id reveals
 * nothing and a production id cannot be computed from a sandbox one.
 */
export function generateClientId(environment: AppEnvironment): string {
  return CLIENT_ID_PREFIX[environment] + randomBytes(CLIENT_ID_BYTES).toString('base64url');
}

/**
 * The environment a well-formed client secret belongs to (prefix, length, alphabet and checksum
 * right), or undefined if it is not one of ours.
 */
export function secretEnvironment(secret: string): AppEnvironment | undefined {
  return APP_ENVIRONMENTS.find((env) => isWellFormedCredential(secret, SECRET_PREFIX[env]));
}

/** The environment a well-formed client id belongs to, or undefined. */
export function clientIdEnvironment(clientId: string): AppEnvironment | undefined {
  if (typeof clientId !== 'string') return undefined;
  return APP_ENVIRONMENTS.find((env) => CLIENT_ID_PATTERN[env].test(clientId));
}

/**
 * The stored form of a secret: HMAC-SHA-256 keyed with a server-side pepper, hex.
 *
 * A slow password hash (argon2) would be wasted here: the secret carries 256 bits of entropy, so
 * there is nothing to guess, and the token endpoint must stay fast. The pepper (kept outside the
 * database) means a leaked table of hashes alone cannot even confirm a candidate secret.
 */
export function hashClientSecret(secret: string, pepper: Buffer): string {
  assertPepper(pepper);
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

/**
 * What listings show so a developer can tell secrets apart: the environment prefix and the first
 * four random characters, e.g. `gatehouse_live_AbCd` (19 characters) or `gatehouse_sandbox_AbCd`
 * (22; the column holds 24). A fixed length would leave a sandbox secret fewer distinguishing
 * characters. 24 of 256 bits are revealed, which leaves far more than enough.
 */
export function secretPrefix(secret: string): string {
  const env = APP_ENVIRONMENTS.find((e) => secret.startsWith(SECRET_PREFIX[e]));
  if (env === undefined) return secret.slice(0, 12);
  return secret.slice(0, SECRET_PREFIX[env].length + DISPLAY_RANDOM_CHARS);
}

/** One stored credential (a row); extra fields (id, appId, …) pass through verification untouched. */
export interface StoredClientCredential {
  environment: AppEnvironment;
  /** hashClientSecret(secret, pepper) */
  hash: string;
  createdAt: Date;
  /** Set when a newer secret was issued; the credential keeps working for the grace period. */
  supersededAt: Date | null;
  /** Set when the credential was killed outright (suspension, compromise): no grace. */
  revokedAt: Date | null;
}

/** When a credential stops verifying, or null while it is current (neither superseded nor revoked). */
export function credentialExpiresAt(
  credential: Pick<StoredClientCredential, 'supersededAt' | 'revokedAt'>,
  graceMs = DEFAULT_SECRET_GRACE_MS,
): Date | null {
  assertGrace(graceMs);
  if (credential.revokedAt) return credential.revokedAt;
  if (credential.supersededAt) return new Date(credential.supersededAt.getTime() + graceMs);
  return null;
}

/** Whether a credential may be used at `now`: not revoked, and current or within its grace period. */
export function isCredentialUsable(
  credential: Pick<StoredClientCredential, 'supersededAt' | 'revokedAt'>,
  now: Date,
  graceMs = DEFAULT_SECRET_GRACE_MS,
): boolean {
  assertGrace(graceMs);
  if (credential.revokedAt !== null) return false;
  if (credential.supersededAt === null) return true;
  return now.getTime() < credential.supersededAt.getTime() + graceMs;
}

/**
 * The credential the presented secret belongs to, if it is usable at `now`; otherwise undefined.
 *
 * - A string that is not a well-formed Gatehouse secret is refused before any hashing.
 * - Only credentials of the secret's own environment are considered, so a sandbox secret never
 *   authenticates against production credentials (and vice versa), whatever the caller passes.
 * - The presented secret is hashed once and compared to every candidate with timingSafeEqual on
 *   32-byte buffers, without stopping at the first match.
 *
 * Pass the app's credentials for the environment named by the client id; the caller still decides
 * separately whether the app may use production at all (approved, not suspended).
 */
export function verifyClientSecret<T extends StoredClientCredential>(
  presented: string,
  credentials: readonly T[],
  pepper: Buffer,
  now: Date,
  graceMs = DEFAULT_SECRET_GRACE_MS,
): T | undefined {
  assertPepper(pepper);
  assertGrace(graceMs);
  const environment = secretEnvironment(presented);
  if (environment === undefined) return undefined;

  const presentedHash = Buffer.from(hashClientSecret(presented, pepper), 'hex');
  let found: T | undefined;
  for (const credential of credentials) {
    if (credential.environment !== environment) continue;
    const stored = Buffer.from(credential.hash, 'hex');
    const equal = stored.length === presentedHash.length && timingSafeEqual(stored, presentedHash);
    if (equal && found === undefined && isCredentialUsable(credential, now, graceMs)) found = credential;
  }
  return found;
}

function assertPepper(pepper: Buffer): void {
  if (!Buffer.isBuffer(pepper) || pepper.length < MIN_PEPPER_BYTES) {
    throw new TypeError(`The client secret pepper must be a Buffer of at least ${MIN_PEPPER_BYTES} bytes`);
  }
}

function assertGrace(graceMs: number): void {
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new RangeError('The grace period must be a finite, non-negative number of milliseconds');
  }
}
