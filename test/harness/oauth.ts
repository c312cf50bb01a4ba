import type * as OpenIdClient from 'openid-client';
import { bearer } from './actors';
import { SandboxApp } from './cases';
import { SignedInCustomer } from './consents';
import { TestApp } from './test-app';

// openid-client is ESM-only; jest (run with --experimental-vm-modules) loads it through require(esm).
/* eslint-disable @typescript-eslint/no-require-imports */
export const oidc = require('openid-client') as typeof OpenIdClient;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The redirect URI the third-party app uses (registered by test/harness/cases.ts APP). */
export const REDIRECT_URI = 'https://app.budgetly.co.uk/callback';

/** The app's side: openid-client configured with the sandbox client id and secret (client_secret_basic). */
export async function thirdPartyApp(t: TestApp, app: SandboxApp): Promise<OpenIdClient.Configuration> {
  return oidc.discovery(
    new URL(`${t.baseUrl}/oauth`),
    app.clientId,
    undefined,
    oidc.ClientSecretBasic(app.clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

export const accountAccess = (detail: Record<string, unknown> = {}) => [
  { type: 'account_access', scopes: ['accounts:read', 'transactions:read'], ...detail },
];

export interface StartedAuthorization {
  uid: string;
  /** The browser's cookies after following the authorization URL (the interaction's own cookies). */
  cookies: string;
  verifier: string;
  state: string;
}

/** A browser's cookie jar, just enough for oidc-provider's interaction cookies. */
function cookieHeader(res: Response, jar: Map<string, string>): string {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair!.indexOf('=');
    jar.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The app pushes its request (PAR, PKCE S256, RAR) and the browser follows the authorization URL to the consent page. */
export async function startAuthorization(
  config: OpenIdClient.Configuration,
  authorizationDetails: unknown[] = accountAccess(),
  extra: Record<string, string> = {},
): Promise<StartedAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = await oidc
    .buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      authorization_details: JSON.stringify(authorizationDetails),
      ...extra,
    })
    .catch((e: { error?: string; error_description?: string }) => {
      throw Object.assign(new Error(`PAR refused: ${e.error}: ${e.error_description}`), e);
    });
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`authorization: ${res.status} ${await res.text()}`);
  const location = res.headers.get('location')!;
  const uid = /\/consent\/([^/?#]+)$/.exec(location)?.[1];
  if (!uid) throw new Error(`authorization redirected to ${location}`);
  return { uid, cookies: cookieHeader(res, new Map()), verifier, state };
}

/** The browser follows `redirectTo` (with its cookies) until the app's redirect URI; returns that URL. */
export async function followToApp(redirectTo: string, cookies: string): Promise<URL> {
  let next = redirectTo;
  const jar = new Map(
    cookies
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]),
  );
  for (let hops = 0; hops < 5; hops++) {
    if (next.startsWith(REDIRECT_URI)) return new URL(next);
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    cookieHeader(res, jar);
    const location = res.headers.get('location');
    if (!location) throw new Error(`resume: ${res.status} ${await res.text()}`);
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects');
}

/** The whole customer side: consent page API read, approval picking `accountIds`; returns the app's callback URL. */
export async function approve(
  t: TestApp,
  started: StartedAuthorization,
  customer: SignedInCustomer,
  decision: Record<string, unknown> = {},
): Promise<URL> {
  await t.http().get(`/v1/oauth/interactions/${started.uid}`).set(bearer(customer.token)).expect(200);
  const res = await t
    .http()
    .post(`/v1/oauth/interactions/${started.uid}/decision`)
    .set(bearer(customer.token))
    .send({ decision: 'approve', accountIds: [customer.accounts[0]], ...decision })
    .expect(200);
  return followToApp(res.body.redirectTo as string, started.cookies);
}

/** PAR → consent → code, ready for the token request. */
export async function authorize(
  t: TestApp,
  config: OpenIdClient.Configuration,
  customer: SignedInCustomer,
  decision: Record<string, unknown> = {},
): Promise<{ callback: URL; started: StartedAuthorization }> {
  const started = await startAuthorization(config);
  return { callback: await approve(t, started, customer, decision), started };
}

/** A pushed authorization request (PAR, PKCE S256, RAR) whose URL a real browser then opens itself. */
export async function pushAuthorization(
  config: OpenIdClient.Configuration,
  authorizationDetails: unknown[] = accountAccess(),
): Promise<{ url: URL; verifier: string; state: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = await oidc.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    authorization_details: JSON.stringify(authorizationDetails),
  });
  return { url, verifier, state };
}
