import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig } from '../config/config';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** First 16 hex digits of the SHA-256 of the public key (DER): names the key in checkpoints. */
  keyId: string;
}

export function keyFromPrivatePem(pem: string): AuditSigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: createHash('sha256').update(der).digest('hex').slice(0, 16),
  };
}

/**
 * The Ed25519 key that signs audit checkpoints: AUDIT_SIGNING_KEY (PEM) when set; otherwise, outside
 * production, a development key generated once under `<varDir>/keys/` with a loud warning.
 */
export function loadAuditSigningKey(config: AppConfig, warn: (msg: string) => void): AuditSigningKey {
  if (config.keys.auditSigningKey) return keyFromPrivatePem(config.keys.auditSigningKey);
  if (config.env === 'production') throw new Error('AUDIT_SIGNING_KEY is required when NODE_ENV=production');
  const path = join(config.varDir, 'keys', 'audit-signing-ed25519.pem');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    warn(`generated a DEVELOPMENT audit signing key at ${path}; set AUDIT_SIGNING_KEY in production`);
  }
  return keyFromPrivatePem(readFileSync(path, 'utf8'));
}
