import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The one layout of every bearer credential Gatehouse issues, after the pattern of GitHub's and
 * Slack's tokens: a prefix that names Gatehouse and the credential kind, then a body of a fixed
 * alphabet and length whose last bytes are a checksum.
 *
 *   <prefix><body>   body = base64url(32 random bytes ‖ CRC-32 of those 32 bytes, big-endian)
 *                         = exactly 48 characters of [A-Za-z0-9_-] (36 bytes, no padding)
 *
 * The prefix keeps a leaked credential out of other vendors' namespaces (`gh*_` is GitHub's, `sk_`
 * Stripe's), so a secret scanner reports it to us and says which kind leaked. The CRC-32 (ISO-HDLC,
 * as zlib's) lets a scanner discard look-alikes offline, without calling us; it is a public
 * function of the random bytes and adds no secrecy, which stays 256 bits. The regular expressions
 * scanners need are in docs/decisions.md ("Credential formats").
 */
export const CREDENTIAL_PREFIX = {
  liveClientSecret: 'gatehouse_live_',
  sandboxClientSecret: 'gatehouse_sandbox_',
  session: 'gatehouse_session_',
  webhookSecret: 'gatehouse_whsec_',
} as const;

const RANDOM_BYTES = 32;
const CHECKSUM_BYTES = 4;
/** base64url of 36 bytes: 48 characters, every one carrying 6 bits. */
export const CREDENTIAL_BODY_LENGTH = 48;
const BODY = new RegExp(`^[A-Za-z0-9_-]{${CREDENTIAL_BODY_LENGTH}}$`);

/**
 * Anything in free text that starts like one of our credentials: log lines are scrubbed with it
 * (src/common/logging). Eight body characters are enough to be worth hiding; the four shown in
 * credential listings (`gatehouse_live_AbCd`) are not a secret and stay readable.
 */
export const CREDENTIAL_IN_TEXT = new RegExp(`(?:${Object.values(CREDENTIAL_PREFIX).join('|')})[A-Za-z0-9_-]{8,}`, 'g');

/** A new credential: `prefix` + the 48-character checksummed body. */
export function newCredential(prefix: string): string {
  const body = Buffer.alloc(RANDOM_BYTES + CHECKSUM_BYTES);
  randomBytes(RANDOM_BYTES).copy(body);
  body.writeUInt32BE(crc32(body.subarray(0, RANDOM_BYTES)), RANDOM_BYTES);
  return prefix + body.toString('base64url');
}

/**
 * Whether `credential` is `prefix` followed by a well-formed body whose checksum matches. Says
 * nothing about whether we issued it: that needs the stored hash.
 */
export function isWellFormedCredential(credential: unknown, prefix: string): boolean {
  if (typeof credential !== 'string' || !credential.startsWith(prefix)) return false;
  const body = credential.slice(prefix.length);
  if (!BODY.test(body)) return false;
  const bytes = Buffer.from(body, 'base64url');
  return crc32(bytes.subarray(0, RANDOM_BYTES)) === bytes.readUInt32BE(RANDOM_BYTES);
}
