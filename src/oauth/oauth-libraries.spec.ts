import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

// oidc-provider, openid-client and jose are ESM-only. On Node 24 jest loads them through
// require(esm) with no transform; oidc-provider warns on import when the runtime is unsupported.
const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
/* eslint-disable @typescript-eslint/no-require-imports */
const { Provider } = require('oidc-provider') as typeof import('oidc-provider');
const client = require('openid-client') as typeof import('openid-client');
const jose = require('jose') as typeof import('jose');
/* eslint-enable @typescript-eslint/no-require-imports */

describe('OAuth libraries on this runtime', () => {
  let server: Server;
  let issuer: string;

  beforeAll(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'app', client_secret: 'a-long-enough-secret', redirect_uris: ['https://app.example/cb'] }],
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: false },
        pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      },
    });
    server.on('request', provider.callback());
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('imports oidc-provider without the unsupported-runtime warning', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(warnings.mock.calls.flat().join('\n')).not.toContain('Unsupported runtime');
  });

  it('lets openid-client discover the provider and read its metadata', async () => {
    const config = await client.discovery(new URL(issuer), 'app', 'a-long-enough-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${issuer}/request`);
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('publishes only public signing keys, which jose imports', async () => {
    const { keys } = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: import('jose').JWK[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const jwk of keys) {
      expect(jwk.d).toBeUndefined();
      const key = (await jose.importJWK(jwk, jwk.alg ?? 'RS256')) as { type: string };
      expect(key.type).toBe('public');
    }
  });
});
