import { generateKeyPairSync } from 'node:crypto';
import { MAX_CLIENT_JWKS_KEYS, validateClientJwks } from './client-jwks';

const publicJwk = (
  type: 'ec' | 'ed25519' | 'rsa',
  kid: string,
  bits = 2048,
): { pub: Record<string, string>; priv: Record<string, unknown> } => {
  const { publicKey, privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: bits })
        : generateKeyPairSync('ed25519');
  return {
    pub: { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid },
    priv: { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid },
  };
};

describe('validateClientJwks', () => {
  it('accepts P-256, Ed25519 and RSA-2048 public keys, stored with their algorithm and nothing else', () => {
    const ec = publicJwk('ec', 'a').pub;
    const ed = publicJwk('ed25519', 'b').pub;
    const rsa = publicJwk('rsa', 'c').pub;
    const result = validateClientJwks([
      { ...ec, x5u: 'https://evil.example', use: 'sig' },
      ed,
      { ...rsa, alg: 'PS256' },
    ]);
    expect(result).toEqual({
      ok: true,
      keys: [
        { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: 'a', alg: 'ES256', use: 'sig' },
        { kty: 'OKP', crv: 'Ed25519', x: ed.x, kid: 'b', alg: 'EdDSA', use: 'sig' },
        { kty: 'RSA', n: rsa.n, e: rsa.e, kid: 'c', alg: 'PS256', use: 'sig' },
      ],
    });
    expect(validateClientJwks([])).toEqual({ ok: true, keys: [] });
  });

  it('refuses private parts, symmetric keys, other curves and algorithms, duplicate or missing kids, small RSA, too many keys', () => {
    const fields = (keys: unknown) => {
      const r = validateClientJwks(keys);
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(fields([publicJwk('ec', 'a').priv])).toEqual(['keys[0].d']);
    expect(fields([publicJwk('rsa', 'a').priv])).toEqual(
      expect.arrayContaining(['keys[0].d', 'keys[0].p', 'keys[0].q']),
    );
    expect(fields([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }])).toEqual(['keys[0].k', 'keys[0].kty']);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    expect(fields([{ ...p384, kid: 'x' }])).toEqual(['keys[0].crv']);
    expect(fields([{ ...publicJwk('rsa', 'r').pub, alg: 'RS256' }])).toEqual(['keys[0].alg']);
    expect(fields([{ ...publicJwk('ec', 'e').pub, use: 'enc' }])).toEqual(['keys[0].use']);
    expect(fields([publicJwk('ec', 'same').pub, publicJwk('ed25519', 'same').pub])).toEqual(['keys[1].kid']);
    const { kid: _kid, ...noKid } = publicJwk('ec', 'n').pub;
    expect(fields([noKid])).toEqual(['keys[0].kid']);
    expect(fields([publicJwk('rsa', 'small', 1024).pub])).toEqual(['keys[0].n']);
    expect(fields([{ ...publicJwk('ec', 'bad').pub, x: 'AAAA' }])).toEqual(['keys[0]']);
    expect(
      fields(Array.from({ length: MAX_CLIENT_JWKS_KEYS + 1 }, (_, i) => publicJwk('ed25519', `k${i}`).pub)),
    ).toEqual(['keys']);
    expect(fields('not a list')).toEqual(['keys']);
  });
});
