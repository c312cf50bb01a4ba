import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of `value`, via the `canonicalize` library: object
 * keys sorted by UTF-16 code units, ECMAScript number formatting, no whitespace, undefined fields
 * dropped. The one canonical JSON of the codebase, for everything that is hashed: the audit chain
 * and its checkpoints, and Idempotency-Key request fingerprints.
 * Throws for a value with no JSON form (undefined itself, NaN, Infinity, a BigInt).
 */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new Error('value cannot be canonicalised');
  return json;
}
