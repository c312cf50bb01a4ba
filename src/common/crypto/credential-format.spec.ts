import { crc32 } from 'node:zlib';
import { CREDENTIAL_IN_TEXT, CREDENTIAL_PREFIX, isWellFormedCredential, newCredential } from './credential-format';

/** The scanner regular expressions published in docs/decisions.md ("Credential formats"). */
const SCANNER_PATTERNS = {
  liveClientSecret: /\bgatehouse_live_[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/,
  sandboxClientSecret: /\bgatehouse_sandbox_[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/,
  session: /\bgatehouse_session_[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/,
  webhookSecret: /\bgatehouse_whsec_[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/,
};

describe('newCredential', () => {
  it.each(Object.entries(CREDENTIAL_PREFIX))(
    '%s: prefix, 48 characters, a valid CRC-32, never repeating',
    (kind, prefix) => {
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const credential = newCredential(prefix);
        seen.add(credential);
        expect(credential).toMatch(SCANNER_PATTERNS[kind as keyof typeof CREDENTIAL_PREFIX]);
        const body = Buffer.from(credential.slice(prefix.length), 'base64url');
        expect(body.readUInt32BE(32)).toBe(crc32(body.subarray(0, 32)));
        expect(isWellFormedCredential(credential, prefix)).toBe(true);
      }
      expect(seen.size).toBe(200);
    },
  );

  it('is found by exactly one scanner pattern, inside surrounding text', () => {
    const session = newCredential(CREDENTIAL_PREFIX.session);
    const text = `Authorization: Bearer ${session}\n`;
    expect(SCANNER_PATTERNS.session.exec(text)?.[0]).toBe(session);
    expect(SCANNER_PATTERNS.liveClientSecret.test(text)).toBe(false);
    expect(SCANNER_PATTERNS.sandboxClientSecret.test(text)).toBe(false);
  });
});

describe('isWellFormedCredential', () => {
  it('refuses another prefix, a wrong length, a foreign alphabet and a bad checksum', () => {
    const session = newCredential(CREDENTIAL_PREFIX.session);
    const body = session.slice(CREDENTIAL_PREFIX.session.length);
    expect(isWellFormedCredential(session, CREDENTIAL_PREFIX.liveClientSecret)).toBe(false);
    expect(isWellFormedCredential(session.slice(0, -1), CREDENTIAL_PREFIX.session)).toBe(false);
    expect(isWellFormedCredential(`${session}A`, CREDENTIAL_PREFIX.session)).toBe(false);
    expect(isWellFormedCredential(`${CREDENTIAL_PREFIX.session}${body.slice(0, -1)}=`, CREDENTIAL_PREFIX.session)).toBe(
      false,
    );
    const flipped = body.slice(0, 10) + (body[10] === 'x' ? 'y' : 'x') + body.slice(11);
    expect(isWellFormedCredential(CREDENTIAL_PREFIX.session + flipped, CREDENTIAL_PREFIX.session)).toBe(false);
    expect(isWellFormedCredential(undefined, CREDENTIAL_PREFIX.session)).toBe(false);
  });
});

describe('CREDENTIAL_IN_TEXT', () => {
  it('finds every kind in free text but not a four-character display prefix', () => {
    const found = (text: string) => text.match(CREDENTIAL_IN_TEXT) ?? [];
    for (const prefix of Object.values(CREDENTIAL_PREFIX)) {
      const credential = newCredential(prefix);
      expect(found(`x=${credential};`)).toEqual([credential]);
    }
    expect(found('listed gatehouse_live_AbCd and gatehouse_sandbox_EfGh')).toEqual([]);
  });
});
