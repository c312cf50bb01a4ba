import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('gives the bytes request fingerprints were stored with, for every Idempotency-Key request shape', () => {
    // Texts (and their SHA-256) that the hand-written sorter gave before it was replaced: a stored
    // fingerprint from before the change must still match the same request after it.
    const cases: [unknown, string][] = [
      [{ environment: 'production' }, '{"environment":"production"}'],
      [
        { csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----' },
        '{"csr":"-----BEGIN CERTIFICATE REQUEST-----\\nMIIB\\n-----END CERTIFICATE REQUEST-----"}',
      ],
      [
        {
          scopes: ['payments:write', 'accounts:read'],
          redirectUris: ['https://a.example/cb'],
          name: 'Café €',
          description: 'x',
          websiteUrl: undefined,
        },
        '{"description":"x","name":"Café €","redirectUris":["https://a.example/cb"],"scopes":["payments:write","accounts:read"]}',
      ],
    ];
    for (const [value, text] of cases) expect(canonicalJson(value)).toBe(text);
    expect(
      createHash('sha256')
        .update(canonicalJson({ environment: 'sandbox' }))
        .digest('hex'),
    ).toBe(createHash('sha256').update('{"environment":"sandbox"}').digest('hex'));
  });

  it('sorts keys by UTF-16 code units and writes numbers as ECMAScript does', () => {
    // U+1F600 is the surrogate pair D83D DE00, so it sorts before U+FB00 (code-point order would not).
    expect(canonicalJson({ é: 1, z: 2, '\ufb00': 3, Z: 4, '😀': 5 })).toBe('{"Z":4,"z":2,"é":1,"😀":5,"\ufb00":3}');
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, null, [undefined]])).toBe(
      '[1e+21,1e-7,0,0.30000000000000004,null,[null]]',
    );
  });

  it('refuses values with no JSON form instead of hashing a stand-in', () => {
    expect(() => canonicalJson(undefined)).toThrow();
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
  });
});
