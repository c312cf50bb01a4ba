import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig } from '../../config/config';

/**
 * The master key (32 bytes) from MASTER_KEY; outside production, a development key generated once
 * under `<varDir>/keys/` with a loud warning. It wraps document data keys and small secrets.
 */
export function loadMasterKey(config: AppConfig, warn: (msg: string) => void): Buffer {
  if (config.keys.masterKey) return Buffer.from(config.keys.masterKey, 'base64');
  return developmentKey(config, 'master.key', 'MASTER_KEY', 'Losing it makes encrypted data unreadable.', warn);
}

/**
 * A 32-byte key generated once under `<varDir>/keys/<fileName>` for development, with a warning
 * naming the variable that replaces it; refused when NODE_ENV=production.
 */
export function developmentKey(
  config: AppConfig,
  fileName: string,
  variable: string,
  consequence: string,
  warn: (msg: string) => void,
): Buffer {
  if (config.env === 'production') throw new Error(`${variable} is required when NODE_ENV=production`);
  const path = join(config.varDir, 'keys', fileName);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      warn(`generated a DEVELOPMENT key at ${path}; set ${variable} in production. ${consequence}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}

/** AES-256-GCM with a random 96-bit IV; `aad` binds the ciphertext to what it belongs to. Output: iv.tag.ciphertext (base64url). */
export function sealSecret(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openSecret(key: Buffer, sealed: string, aad: string): string {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('sealed secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
