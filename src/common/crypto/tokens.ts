import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An opaque bearer or link token: 256 bits from the CSPRNG, URL-safe. */
export function newToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens are stored only as SHA-256 hashes. A fast hash is right here (unlike passwords): the
 * token already has 256 bits of entropy, so there is nothing to brute-force.
 */
export function hashToken(token: string): string {
  // One-shot: every authenticated request hashes its token, and a Hash object costs 3x more.
  return hash('sha256', token, 'hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
