import { hash, verify, Algorithm } from '@node-rs/argon2';
import COMMON_PASSWORDS from './common-passwords.json';

/**
 * argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 iterations, 1 lane. About 9 ms a
 * hash on our machines; see docs/BENCHMARKS.md (bench/auth) for logins per second.
 */
export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 256;

const common = new Set<string>(COMMON_PASSWORDS as string[]);

/** Passwords are compared after Unicode NFKC normalisation, as NIST SP 800-63B asks. */
export const normalisePassword = (password: string) => password.normalize('NFKC');

/**
 * NIST SP 800-63B-4 for single-factor passwords: length only (15+ characters, up to 256), no
 * composition rules, and the most common passwords refused — including long variants built from
 * them (a common word repeated, or padded with digits and symbols).
 */
export function passwordProblem(password: string): string | undefined {
  const p = normalisePassword(password);
  const length = [...p].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = p.toLowerCase();
  if (common.has(lower)) return 'is one of the most common passwords';
  if (new Set(lower).size < 4) return 'repeats too few different characters';
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (core && core !== lower && common.has(core)) return 'is a common password with a few characters added';
  for (const candidate of new Set([lower, core])) {
    for (let size = 1; size <= candidate.length / 2; size++) {
      if (candidate.length % size !== 0) continue;
      const unit = candidate.slice(0, size);
      if (unit.repeat(candidate.length / size) === candidate && (size < 4 || common.has(unit)))
        return 'is a common password repeated';
    }
  }
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), ARGON2_PARAMS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, normalisePassword(password)).catch(() => false);
}

let dummy: Promise<string> | undefined;
/** A hash to verify against when the account does not exist, so both answers take as long. */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password-for-timing-only');
  return dummy;
}
