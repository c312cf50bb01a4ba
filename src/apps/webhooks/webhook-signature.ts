import { createHmac, timingSafeEqual } from 'node:crypto';
import { CREDENTIAL_PREFIX, newCredential } from '../../common/crypto/credential-format';

/**
 * Webhook signatures, Stripe-style, so receivers can reuse what they already know:
 *
 *   Gatehouse-Signature: t=1735689600,v1=5257a869e7ec…(64 hex)[,v1=…]
 *
 * v1 = hex(HMAC-SHA256(key = the webhook secret's UTF-8 bytes, the whole `gatehouse_whsec_…` string,
 *                      message = "<t>." + the raw request body bytes))
 *
 * The timestamp is inside the signed message, so a captured delivery cannot be replayed outside
 * the tolerance window (default 5 minutes, either side: a receiver's clock may run fast or slow).
 * While a webhook secret is being rotated Gatehouse signs with both the old and the new secret and
 * sends one v1 per secret; a receiver accepts the delivery if any v1 matches any secret it holds.
 * Unknown schemes (v0, v2 …) are ignored so a future scheme can be added beside v1.
 */

export const WEBHOOK_SIGNATURE_HEADER = 'Gatehouse-Signature';
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;
/** Generous for t plus a handful of v1 values, small enough that parsing costs nothing. */
const MAX_HEADER_LENGTH = 2048;

/**
 * A new signing secret: `gatehouse_whsec_` + 48 characters (32 random bytes, 256 bits, and their
 * CRC-32; src/common/crypto/credential-format.ts). Secrets issued before carry Stripe's `whsec_`
 * prefix: they keep signing until the developer rotates them, since the prefix is only a label.
 */
export function generateWebhookSecret(): string {
  return newCredential(CREDENTIAL_PREFIX.webhookSecret);
}

/** The v1 signature (hex) of a body at a unix time in seconds. */
export function computeWebhookSignature(secret: string, timestamp: number, body: string | Buffer): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('A webhook secret is required');
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/**
 * The header value for a delivery at `now`. Pass several secrets during a rotation (new first);
 * each gets its own v1 entry.
 */
export function signWebhook(secret: string | readonly string[], body: string | Buffer, now: Date): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('At least one webhook secret is required');
  const t = unixSeconds(now);
  return [`t=${t}`, ...secrets.map((s) => `v1=${computeWebhookSignature(s, t, body)}`)].join(',');
}

export interface ParsedWebhookSignature {
  timestamp: number;
  v1: string[];
}

/**
 * Parses a header value, or returns undefined if it is malformed: not exactly one integer `t`, or
 * no well-formed v1 (64 lowercase or uppercase hex). Whitespace around items is tolerated.
 */
export function parseWebhookSignatureHeader(header: string): ParsedWebhookSignature | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return undefined;
  let timestamp: number | undefined;
  let timestamps = 0;
  const v1: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      timestamps += 1;
      if (/^\d{1,12}$/u.test(value)) timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-fA-F]{64}$/u.test(value)) {
      v1.push(value.toLowerCase());
    }
  }
  if (timestamps !== 1 || timestamp === undefined || v1.length === 0) return undefined;
  return { timestamp, v1 };
}

/**
 * True if the header carries a v1 signature of this exact body by one of the secrets, made within
 * `toleranceSeconds` of `now`. The body must be the raw bytes as received, before any JSON parsing.
 * Signatures are compared in constant time (timingSafeEqual on equal-length buffers), and every
 * candidate is compared, so timing does not reveal which one matched.
 */
export function verifyWebhookSignature(
  secret: string | readonly string[],
  header: string,
  body: string | Buffer,
  now: Date,
  toleranceSeconds = DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError('The tolerance must be a finite, non-negative number of seconds');
  }
  const secrets = (typeof secret === 'string' ? [secret] : secret).filter((s) => typeof s === 'string' && s.length > 0);
  if (secrets.length === 0) return false;
  const parsed = parseWebhookSignatureHeader(header);
  if (parsed === undefined) return false;
  if (Math.abs(unixSeconds(now) - parsed.timestamp) > toleranceSeconds) return false;

  let match = false;
  for (const s of secrets) {
    const expected = Buffer.from(computeWebhookSignature(s, parsed.timestamp, body), 'hex');
    for (const candidate of parsed.v1) {
      const given = Buffer.from(candidate, 'hex');
      if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
    }
  }
  return match;
}

function unixSeconds(now: Date): number {
  const ms = now.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid date');
  return Math.floor(ms / 1000);
}
