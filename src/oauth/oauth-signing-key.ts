import { KeyObject, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../config/config';

/** Signing algorithms of the authorisation server (SPEC; FAPI 2.0 §5.4): no RSA PKCS#1 v1.5, no HMAC, no none. */
export const OAUTH_SIGNING_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'] as const;
export type OAuthSigningAlgorithm = (typeof OAUTH_SIGNING_ALGORITHMS)[number];

/** The private key as a JWK for oidc-provider's `jwks`, with what is derived from it. */
export interface OAuthSigningKey {
  jwk: Record<string, unknown> & { kid: string; alg: OAuthSigningAlgorithm };
  /** Keys for oidc-provider's signed cookies, derived from the signing key so every process agrees. */
  cookieKeys: string[];
}

function algorithmOf(key: KeyObject): OAuthSigningAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'PS256';
  throw new Error('OAUTH_SIGNING_KEY must be a P-256, Ed25519 or RSA (at least 2048 bits) private key');
}

function fromPem(pem: string): OAuthSigningKey {
  const key = createPrivateKey(pem);
  const alg = algorithmOf(key);
  const jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const kid = createHash('sha256').update(pkcs8).update('kid').digest('base64url').slice(0, 16);
  const cookieKey = createHash('sha256').update('gatehouse-oauth-cookies').update(pkcs8).digest('base64url');
  return { jwk: { ...jwk, kid, alg, use: 'sig' }, cookieKeys: [cookieKey] };
}

/**
 * The authorisation server's signing key: OAUTH_SIGNING_KEY (PKCS#8 PEM) when set; otherwise,
 * outside production, an ES256 development key generated once under `<varDir>/keys/` (shared by
 * every process using that directory) with a loud warning. Production without the key is refused
 * by the configuration already; this throws too, in case.
 */
export function loadOAuthSigningKey(config: AppConfig, warn: (msg: string) => void): OAuthSigningKey {
  if (config.oauth.signingKey) return fromPem(config.oauth.signingKey);
  if (config.env === 'production') throw new Error('OAUTH_SIGNING_KEY is required when NODE_ENV=production');
  const path = join(config.varDir, 'keys', 'oauth-signing-es256.pem');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      warn(`generated a DEVELOPMENT OAuth signing key at ${path}; set OAUTH_SIGNING_KEY in production`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return fromPem(readFileSync(path, 'utf8'));
}
