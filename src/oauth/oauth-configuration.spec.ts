import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { oauthConfiguration } from './oauth-configuration';
import { OAUTH_SIGNING_ALGORITHMS, loadOAuthSigningKey } from './oauth-signing-key';

const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();
const configWith = (signingKey?: string, env: AppConfig['env'] = 'test') =>
  ({ env, varDir: mkdtempSync(join(tmpdir(), 'oauth-key-')), oauth: { signingKey } }) as AppConfig;

describe('OAuth signing key (FAPI 2.0: PS256, ES256, EdDSA only)', () => {
  it.each([
    ['P-256', 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['Ed25519', 'EdDSA', generateKeyPairSync('ed25519').privateKey],
    ['RSA 2048', 'PS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
  ])('takes a %s key as %s', (_, alg, key) => {
    const loaded = loadOAuthSigningKey(configWith(pem(key)), () => undefined);
    expect(loaded.jwk.alg).toBe(alg);
    expect(loaded.jwk.kid).toEqual(expect.any(String));
  });

  it.each([
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
    ['RSA 1024', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey],
  ])('refuses a %s key', (_, key) => {
    expect(() => loadOAuthSigningKey(configWith(pem(key)), () => undefined)).toThrow(/P-256, Ed25519 or RSA/);
  });

  it('generates one development ES256 key per varDir outside production, and none in production', () => {
    const config = configWith();
    const warnings: string[] = [];
    const first = loadOAuthSigningKey(config, (m) => warnings.push(m));
    expect(loadOAuthSigningKey(config, (m) => warnings.push(m)).jwk.kid).toBe(first.jwk.kid);
    expect(first.jwk.alg).toBe('ES256');
    expect(warnings).toHaveLength(1);
    expect(() => loadOAuthSigningKey(configWith(undefined, 'production'), () => undefined)).toThrow(
      /OAUTH_SIGNING_KEY/,
    );
  });
});

describe('oauthConfiguration', () => {
  it('enables no signing algorithm beyond PS256, ES256 and EdDSA', () => {
    const signingKey = loadOAuthSigningKey(configWith(), () => undefined);
    const configuration = oauthConfiguration({
      publicUrl: 'https://gatehouse.example',
      signingKey,
      adapter: class {} as never,
      customerExists: async () => true,
      grantedDetails: async () => undefined,
      certificateAuthorized: () => false,
    });
    const signing = Object.entries(configuration.enabledJWA ?? {}).filter(([k]) => k.endsWith('SigningAlgValues'));
    expect(signing.length).toBeGreaterThanOrEqual(7);
    for (const [name, algs] of signing) {
      for (const alg of algs as string[])
        expect([name, (OAUTH_SIGNING_ALGORITHMS as readonly string[]).includes(alg)]).toEqual([name, true]);
    }
  });
});
