import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  DEFAULT_SECRET_GRACE_MS,
  StoredClientCredential,
  clientIdEnvironment,
  credentialExpiresAt,
  generateClientId,
  generateClientSecret,
  hashClientSecret,
  isCredentialUsable,
  secretEnvironment,
  secretPrefix,
  verifyClientSecret,
} from './client-secret';

const pepper = randomBytes(32);
const HOUR = 60 * 60 * 1000;

/** A controllable clock. */
function clock(start: string) {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

interface Row extends StoredClientCredential {
  id: string;
}

function row(id: string, secret: string, createdAt: Date, environment = secretEnvironment(secret)!): Row {
  return { id, environment, hash: hashClientSecret(secret, pepper), createdAt, supersededAt: null, revokedAt: null };
}

describe('generateClientSecret', () => {
  it('prefixes by environment and carries 256 random bits and their CRC-32 in base64url', () => {
    const sandbox = generateClientSecret('sandbox');
    const live = generateClientSecret('production');
    expect(sandbox).toMatch(/^gatehouse_sandbox_[A-Za-z0-9_-]{48}$/);
    expect(live).toMatch(/^gatehouse_live_[A-Za-z0-9_-]{48}$/);
    // What a secret scanner does to validate a find offline (docs/decisions.md, "Credential formats").
    const body = Buffer.from(live.slice('gatehouse_live_'.length), 'base64url');
    expect(body).toHaveLength(36);
    expect(body.readUInt32BE(32)).toBe(crc32(body.subarray(0, 32)));
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateClientSecret('production')));
    expect(seen.size).toBe(1000);
  });

  it('is recognised by environment', () => {
    expect(secretEnvironment(generateClientSecret('sandbox'))).toBe('sandbox');
    expect(secretEnvironment(generateClientSecret('production'))).toBe('production');
    expect(secretEnvironment('gatehouse_live_short')).toBeUndefined();
    expect(secretEnvironment('whsec_' + 'a'.repeat(43))).toBeUndefined();
    expect(secretEnvironment(generateClientSecret('production') + 'x')).toBeUndefined();
  });

  it('refuses a secret of the right shape whose checksum does not match', () => {
    const live = generateClientSecret('production');
    // Same prefix, length and alphabet, one random character changed: a typo or a look-alike.
    const i = 'gatehouse_live_'.length + 5;
    const typo = live.slice(0, i) + (live[i] === 'A' ? 'B' : 'A') + live.slice(i + 1);
    expect(secretEnvironment(typo)).toBeUndefined();
    expect(secretEnvironment('gatehouse_sandbox_' + 'A'.repeat(48))).toBeUndefined();
    // A secret body under a session prefix is not a client secret either.
    expect(secretEnvironment('gatehouse_session_' + live.slice('gatehouse_live_'.length))).toBeUndefined();
  });
});

describe('generateClientId', () => {
  it('is prefixed, 22 random characters, unique', () => {
    const ids = Array.from({ length: 1000 }, () => generateClientId('production'));
    for (const id of ids) expect(id).toMatch(/^ghc_live_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(1000);
    expect(generateClientId('sandbox')).toMatch(/^ghc_sandbox_[A-Za-z0-9_-]{22}$/);
  });

  it('tells its environment', () => {
    expect(clientIdEnvironment(generateClientId('sandbox'))).toBe('sandbox');
    expect(clientIdEnvironment(generateClientId('production'))).toBe('production');
    expect(clientIdEnvironment(generateClientSecret('production'))).toBeUndefined();
  });
});

describe('hashClientSecret', () => {
  it('is HMAC-SHA-256 hex, deterministic per pepper, different across peppers', () => {
    const secret = generateClientSecret('production');
    const hash = hashClientSecret(secret, pepper);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashClientSecret(secret, pepper)).toBe(hash);
    expect(hashClientSecret(secret, randomBytes(32))).not.toBe(hash);
    expect(hash).not.toContain(secret.slice(8));
  });

  it('refuses a short or missing pepper', () => {
    expect(() => hashClientSecret('x', randomBytes(16))).toThrow(TypeError);
    expect(() => hashClientSecret('x', 'pepper' as unknown as Buffer)).toThrow(TypeError);
  });
});

describe('secretPrefix', () => {
  it('shows the environment prefix and four random characters', () => {
    const live = generateClientSecret('production');
    expect(secretPrefix(live)).toBe(live.slice(0, 19));
    expect(secretPrefix(live)).toHaveLength(19);
    const sandbox = generateClientSecret('sandbox');
    expect(secretPrefix(sandbox)).toBe(sandbox.slice(0, 22));
  });
});

describe('verifyClientSecret', () => {
  it('accepts the current secret and returns its row', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const secret = generateClientSecret('production');
    const rows = [row('a', secret, c.now())];
    expect(verifyClientSecret(secret, rows, pepper, c.now())).toBe(rows[0]);
  });

  it('rotation: old and new both verify during the grace, only the new after it', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const oldSecret = generateClientSecret('production');
    const oldRow = row('old', oldSecret, c.now());
    c.advance(10 * HOUR);
    const newSecret = generateClientSecret('production');
    const newRow = row('new', newSecret, c.now());
    oldRow.supersededAt = c.now();
    const rows = [oldRow, newRow];

    c.advance(23 * HOUR + 59 * 60 * 1000);
    expect(verifyClientSecret(oldSecret, rows, pepper, c.now())).toBe(oldRow);
    expect(verifyClientSecret(newSecret, rows, pepper, c.now())).toBe(newRow);

    c.advance(60 * 1000); // exactly supersededAt + 24 h: the old secret is dead
    expect(verifyClientSecret(oldSecret, rows, pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret(newSecret, rows, pepper, c.now())).toBe(newRow);

    c.advance(365 * 24 * HOUR);
    expect(verifyClientSecret(oldSecret, rows, pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret(newSecret, rows, pepper, c.now())).toBe(newRow);
  });

  it('honours a custom grace period, including none', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const secret = generateClientSecret('sandbox');
    const r = { ...row('a', secret, c.now()), supersededAt: c.now() };
    c.advance(HOUR - 1);
    expect(verifyClientSecret(secret, [r], pepper, c.now(), HOUR)).toBe(r);
    expect(verifyClientSecret(secret, [r], pepper, c.now(), 0)).toBeUndefined();
    c.advance(1);
    expect(verifyClientSecret(secret, [r], pepper, c.now(), HOUR)).toBeUndefined();
    expect(() => verifyClientSecret(secret, [r], pepper, c.now(), -1)).toThrow(RangeError);
  });

  it('never accepts a revoked secret, even within a grace period', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const secret = generateClientSecret('production');
    const current = { ...row('a', secret, c.now()), revokedAt: c.now() };
    const superseded = { ...row('b', secret, c.now()), supersededAt: c.now(), revokedAt: c.now() };
    expect(verifyClientSecret(secret, [current], pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret(secret, [superseded], pepper, c.now())).toBeUndefined();
  });

  it('never accepts a wrong secret', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const secret = generateClientSecret('production');
    const rows = [row('a', secret, c.now())];
    expect(verifyClientSecret(generateClientSecret('production'), rows, pepper, c.now())).toBeUndefined();
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(verifyClientSecret(flipped, rows, pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret('', rows, pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret(rows[0].hash, rows, pepper, c.now())).toBeUndefined();
    expect(verifyClientSecret(secret, rows, randomBytes(32), c.now())).toBeUndefined();
    expect(verifyClientSecret(secret, [], pepper, c.now())).toBeUndefined();
  });

  it('a sandbox secret does not verify against production credentials', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const sandbox = generateClientSecret('sandbox');
    // Even a row whose hash matches is ignored when it is marked production.
    const rows = [row('p', sandbox, c.now(), 'production')];
    expect(verifyClientSecret(sandbox, rows, pepper, c.now())).toBeUndefined();
    // Relabelling a live secret's body as sandbox does not help either.
    const live = generateClientSecret('production');
    const relabelled = 'gatehouse_sandbox_' + live.slice('gatehouse_live_'.length);
    expect(verifyClientSecret(relabelled, [row('l', live, c.now())], pepper, c.now())).toBeUndefined();
  });

  it('tolerates a malformed stored hash without throwing', () => {
    const c = clock('2025-01-01T00:00:00Z');
    const secret = generateClientSecret('production');
    const bad = { ...row('bad', secret, c.now()), hash: 'not-hex' };
    const good = row('good', secret, c.now());
    expect(verifyClientSecret(secret, [bad, good], pepper, c.now())).toBe(good);
  });
});

describe('credential lifetime helpers', () => {
  it('reports when a credential stops working', () => {
    const t = new Date('2025-01-01T00:00:00Z');
    expect(credentialExpiresAt({ supersededAt: null, revokedAt: null })).toBeNull();
    expect(credentialExpiresAt({ supersededAt: t, revokedAt: null })).toEqual(
      new Date(t.getTime() + DEFAULT_SECRET_GRACE_MS),
    );
    expect(credentialExpiresAt({ supersededAt: t, revokedAt: t })).toEqual(t);
    expect(isCredentialUsable({ supersededAt: null, revokedAt: null }, t)).toBe(true);
  });
});
