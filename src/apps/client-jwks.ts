import { createPublicKey } from 'node:crypto';
import type { FieldError } from '../common/errors/domain-error';

/**
 * The JWKS a developer registers on an app for `private_key_jwt` at the authorisation server (SPEC
 * "OAuth 2 authorisation server"; FAPI 2.0 §5.4: PS256, ES256 or EdDSA). Pure: validates what was
 * sent and returns the keys to store, reduced to their public members.
 *
 * Rules: 1–10 keys (an empty list removes the JWKS: the production client is back to its
 * certificate); each has a `kid` (1–128 printable characters, unique in the set); RSA of at least
 * 2048 bits (PS256), EC on P-256 (ES256) or OKP Ed25519 (EdDSA); `alg`, if given, fits the key;
 * `use`, if given, is `sig`; no private or symmetric members (`d`, `p`, `q`, `dp`, `dq`, `qi`,
 * `oth`, `k`) — a set holding one is refused whole, so a private key is never stored; and the key
 * must import as a public key.
 */
export const MAX_CLIENT_JWKS_KEYS = 10;

export interface ClientJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  alg?: 'PS256' | 'ES256' | 'EdDSA';
  use?: 'sig';
  n?: string;
  e?: string;
  crv?: 'P-256' | 'Ed25519';
  x?: string;
  y?: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const KID = /^[\x21-\x7e]{1,128}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MIN_RSA_BITS = 2048;

type Result = { ok: true; keys: ClientJwk[] } | { ok: false; errors: FieldError[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates `keys` (the body's `keys`); field names are `keys[i].<member>`. */
export function validateClientJwks(keys: unknown): Result {
  if (!Array.isArray(keys)) return { ok: false, errors: [{ field: 'keys', message: 'must be an array of JWKs' }] };
  if (keys.length > MAX_CLIENT_JWKS_KEYS)
    return { ok: false, errors: [{ field: 'keys', message: `at most ${MAX_CLIENT_JWKS_KEYS} keys` }] };
  const errors: FieldError[] = [];
  const out: ClientJwk[] = [];
  const kids = new Set<string>();
  keys.forEach((key, i) => {
    const at = (member?: string) => (member ? `keys[${i}].${member}` : `keys[${i}]`);
    const before = errors.length;
    if (!isObject(key)) {
      errors.push({ field: at(), message: 'must be a JWK object' });
      return;
    }
    for (const member of PRIVATE_MEMBERS) {
      if (member in key)
        errors.push({ field: at(member), message: 'private or symmetric key material must never be sent' });
    }
    if (typeof key.kid !== 'string' || !KID.test(key.kid))
      errors.push({ field: at('kid'), message: 'a kid of 1–128 printable characters is required' });
    else if (kids.has(key.kid)) errors.push({ field: at('kid'), message: `kid ${key.kid} is used twice` });
    else kids.add(key.kid);
    if (key.use !== undefined && key.use !== 'sig') errors.push({ field: at('use'), message: 'must be sig' });
    const shape = publicShape(key);
    if ('error' in shape) errors.push({ field: at(shape.field), message: shape.error });
    else if (key.alg !== undefined && key.alg !== shape.alg)
      errors.push({ field: at('alg'), message: `must be ${shape.alg} for this key` });
    if (errors.length > before || 'error' in shape) return;
    try {
      const imported = createPublicKey({ key: shape.jwk as never, format: 'jwk' });
      if (shape.jwk.kty === 'RSA' && (imported.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
        errors.push({ field: at('n'), message: `RSA keys need at least ${MIN_RSA_BITS} bits` });
      else out.push({ ...shape.jwk, kid: key.kid as string, alg: shape.alg, use: 'sig' });
    } catch {
      errors.push({ field: at(), message: 'is not a valid public key' });
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, keys: out };
}

type Shape =
  | { jwk: Omit<ClientJwk, 'kid' | 'alg' | 'use'>; alg: NonNullable<ClientJwk['alg']> }
  | { error: string; field: string };

function publicShape(key: Record<string, unknown>): Shape {
  const b64 = (member: string) => typeof key[member] === 'string' && B64URL.test(key[member] as string);
  switch (key.kty) {
    case 'RSA':
      if (!b64('n')) return { field: 'n', error: 'the modulus (base64url) is required' };
      if (!b64('e')) return { field: 'e', error: 'the exponent (base64url) is required' };
      return { jwk: { kty: 'RSA', n: key.n as string, e: key.e as string }, alg: 'PS256' };
    case 'EC':
      if (key.crv !== 'P-256') return { field: 'crv', error: 'EC keys must be on P-256 (ES256)' };
      if (!b64('x') || !b64('y')) return { field: 'x', error: 'x and y (base64url) are required' };
      return { jwk: { kty: 'EC', crv: 'P-256', x: key.x as string, y: key.y as string }, alg: 'ES256' };
    case 'OKP':
      if (key.crv !== 'Ed25519') return { field: 'crv', error: 'OKP keys must be Ed25519 (EdDSA)' };
      if (!b64('x')) return { field: 'x', error: 'x (base64url) is required' };
      return { jwk: { kty: 'OKP', crv: 'Ed25519', x: key.x as string }, alg: 'EdDSA' };
    default:
      return { field: 'kty', error: 'must be RSA (PS256), EC P-256 (ES256) or OKP Ed25519 (EdDSA)' };
  }
}
