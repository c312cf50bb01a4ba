import { canonicalJson } from './idempotency.service';

describe('canonicalJson', () => {
  it('gives the same text for the same body whatever the order of its fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [2, { x: 2, y: 1 }] }, b: 1 }),
    );
  });

  it('tells different bodies apart, including array order and value types', () => {
    expect(canonicalJson({ environment: 'production' })).not.toBe(canonicalJson({ environment: 'sandbox' }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });

  it('drops undefined fields, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});
