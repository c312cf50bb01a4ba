import { isWellFormedCredential } from '../../common/crypto/credential-format';
import { createHmac } from 'node:crypto';
import {
  computeWebhookSignature,
  generateWebhookSecret,
  parseWebhookSignatureHeader,
  signWebhook,
  verifyWebhookSignature,
} from './webhook-signature';

const now = new Date('2025-01-01T12:00:00.750Z');
const t = Math.floor(now.getTime() / 1000);
const body = '{"type":"consent.revoked","data":{"consentId":"6f1c…","reason":"customer"}}';
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('generateWebhookSecret', () => {
  it('is gatehouse_whsec_ + a checksummed 48-character body, never repeating', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^gatehouse_whsec_[A-Za-z0-9_-]{48}$/);
    expect(isWellFormedCredential(secret, 'gatehouse_whsec_')).toBe(true);
    expect(new Set(Array.from({ length: 200 }, generateWebhookSecret)).size).toBe(200);
  });
});

describe('signWebhook', () => {
  it('produces t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>, matching an independent computation', () => {
    const secret = generateWebhookSecret();
    const header = signWebhook(secret, body, now);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it('signs strings and buffers alike, as raw bytes', () => {
    const secret = generateWebhookSecret();
    expect(signWebhook(secret, Buffer.from(body, 'utf8'), now)).toBe(signWebhook(secret, body, now));
  });

  it('emits one v1 per secret during a rotation', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const parsed = parseWebhookSignatureHeader(signWebhook([a, b], body, now));
    expect(parsed).toEqual({
      timestamp: t,
      v1: [computeWebhookSignature(a, t, body), computeWebhookSignature(b, t, body)],
    });
    expect(() => signWebhook([], body, now)).toThrow(TypeError);
  });
});

describe('verifyWebhookSignature', () => {
  const secret = generateWebhookSecret();
  const header = signWebhook(secret, body, now);

  it('accepts a fresh, correct signature', () => {
    expect(verifyWebhookSignature(secret, header, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), later(299))).toBe(true);
  });

  it('rejects a changed body, a wrong secret, a changed timestamp', () => {
    expect(verifyWebhookSignature(secret, header, body.replace('customer', 'automatic'), now)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body + ' ', now)).toBe(false);
    expect(verifyWebhookSignature(generateWebhookSecret(), header, body, now)).toBe(false);
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature(secret, moved, body, now)).toBe(false);
  });

  it('rejects stale and far-future timestamps, honouring the tolerance', () => {
    expect(verifyWebhookSignature(secret, header, body, later(300))).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, later(301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, later(-301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, later(3600), 3600)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, later(1), 0)).toBe(false);
    expect(() => verifyWebhookSignature(secret, header, body, now, -1)).toThrow(RangeError);
  });

  it('accepts any of several v1 values (sender rotating) and any of several secrets (receiver rotating)', () => {
    const old = generateWebhookSecret();
    const both = signWebhook([secret, old], body, now);
    expect(verifyWebhookSignature(old, both, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, both, body, now)).toBe(true);
    expect(
      verifyWebhookSignature([generateWebhookSecret(), old], header.replace(/v1=.*/, both.split(',')[2]), body, now),
    ).toBe(true);
    expect(verifyWebhookSignature([generateWebhookSecret(), generateWebhookSecret()], both, body, now)).toBe(false);
    expect(verifyWebhookSignature([], both, body, now)).toBe(false);
  });

  it('ignores unknown schemes and tolerates spaces and uppercase hex', () => {
    const sig = computeWebhookSignature(secret, t, body);
    expect(verifyWebhookSignature(secret, `t=${t}, v0=abc, v1=${sig.toUpperCase()}`, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, `v2=${'0'.repeat(64)},t=${t},v1=${sig}`, body, now)).toBe(true);
  });

  it('rejects malformed headers', () => {
    const sig = computeWebhookSignature(secret, t, body);
    for (const bad of [
      '',
      `v1=${sig}`, // no timestamp
      `t=${t}`, // no signature
      `t=${t},v0=${sig}`, // only an unknown scheme
      `t=${t},t=${t},v1=${sig}`, // ambiguous timestamp
      `t=${t}.5,v1=${sig}`,
      `t=-${t},v1=${sig}`,
      `t=${t},v1=${sig.slice(1)}`, // short
      `t=${t},v1=${sig}00`, // long
      `t=${t},v1=${'z'.repeat(64)}`,
      `t=${t},v1=${sig},${'x'.repeat(4096)}`, // oversized
      sig,
    ]) {
      expect(verifyWebhookSignature(secret, bad, body, now)).toBe(false);
    }
    expect(verifyWebhookSignature(secret, undefined as unknown as string, body, now)).toBe(false);
  });
});
