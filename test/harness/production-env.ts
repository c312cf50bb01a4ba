import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Every variable NODE_ENV=production requires, with fresh keys, for an API-only instance started
 * beside a test app (`startTestApp({ sharing: t, env: productionEnv() })`) to check what production
 * leaves out or turns on. Customer tokens are verified with an unrelated key: such an instance
 * accepts none of the test's.
 */
export function productionEnv(): Record<string, string> {
  const pem = (
    key: { export(o: { type: 'pkcs8' | 'spki'; format: 'pem' }): string | Buffer },
    type: 'pkcs8' | 'spki',
  ) => key.export({ type, format: 'pem' }).toString();
  return {
    NODE_ENV: 'production',
    GATEHOUSE_ROLE: 'api',
    MASTER_KEY: randomBytes(32).toString('base64'),
    CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64'),
    CSRF_KEY: randomBytes(32).toString('base64'),
    AUDIT_SIGNING_KEY: pem(generateKeyPairSync('ed25519').privateKey, 'pkcs8'),
    GATEWAY_API_KEY: randomBytes(32).toString('base64url'),
    CUSTOMER_JWT_PUBLIC_KEY: pem(generateKeyPairSync('ed25519').publicKey, 'spki'),
    CUSTOMER_JWT_ISSUER: 'https://bank.example',
    OAUTH_SIGNING_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'pkcs8'),
  };
}
