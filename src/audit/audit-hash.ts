import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/crypto/canonical-json';

export { canonicalJson };

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an entry: everything but the hashes themselves. */
export interface AuditEntryContent {
  id: string;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: string;
}

/**
 * hash = SHA-256(previous hash ‖ RFC 8785 canonical JSON of the entry), hex: the hash does not
 * depend on key order or number formatting.
 */
export function chainHash(prevHash: string, content: AuditEntryContent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}

const SECRET_KEY = /pass(word)?|secret|token|hash|mrz|content|file|key$|privatekey|csr|totp|otp|code$/i;

/**
 * Before/after snapshots keep what a reviewer needs to see changed, never secrets or document
 * contents: matching keys are replaced by a marker that says something was there.
 */
export function scrubSnapshot(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return '[binary omitted]';
  if (Array.isArray(value)) return depth > 6 ? '[omitted]' : value.map((v) => scrubSnapshot(v, depth + 1));
  if (typeof value === 'object') {
    if (depth > 6) return '[omitted]';
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : scrubSnapshot(v, depth + 1)]),
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
