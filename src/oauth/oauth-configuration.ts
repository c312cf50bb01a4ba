import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { SCOPE_NAMES } from '../apps/credentials/scopes';
import {
  ACCOUNT_ACCESS_TYPE,
  AccountAccessGrant,
  parseAccountAccess,
  requestedAccountAccess,
} from './authorization-details';
import { presentedCertificate, sanUris } from './client-certificate';
import { OAUTH_SIGNING_ALGORITHMS, OAuthSigningKey } from './oauth-signing-key';

/** Lifetimes in seconds (SPEC "OAuth 2 authorisation server"; FAPI 2.0 §5.3.2.1: codes ≤ 60 s). */
export const OAUTH_TTL = {
  authorizationCode: 60,
  accessToken: 10 * 60,
  interaction: 10 * 60,
  session: 60 * 60,
} as const;

/** Extra client metadata carried from the app (see oauth-clients.ts). */
export const CLIENT_SCOPES_METADATA = 'gatehouse_scopes';

export interface OAuthConfigurationDeps {
  publicUrl: string;
  signingKey: OAuthSigningKey;
  adapter: NonNullable<Configuration['adapter']>;
  /** The customer (Gatehouse customer id) an account id names, if they exist. */
  customerExists: (customerId: string) => Promise<boolean>;
  /** The consent's terms as they are now, as granted authorization details; undefined once it is not active. */
  grantedDetails: (customerId: string, consentId: string) => Promise<AccountAccessGrant | undefined>;
  /**
   * Whether the request's client certificate is a live Gatehouse certificate of the client being
   * authenticated (chain to our CA, unexpired, not revoked, the app's own): worked out before the
   * request reaches the provider (OAuthService), since oidc-provider calls this synchronously.
   */
  certificateAuthorized: (ctx: KoaContextWithOIDC) => boolean;
  /** Base URL of the mTLS listener, when there is one (discovery's `mtls_endpoint_aliases`). */
  mtlsPublicUrl?: string;
}

/** RFC 8705 §5: where the endpoints that take client certificates are on the mTLS listener. */
export const mtlsEndpointAliases = (mtlsPublicUrl: string) => ({
  token_endpoint: `${mtlsPublicUrl}/oauth/token`,
  pushed_authorization_request_endpoint: `${mtlsPublicUrl}/oauth/request`,
  introspection_endpoint: `${mtlsPublicUrl}/oauth/token/introspection`,
  revocation_endpoint: `${mtlsPublicUrl}/oauth/token/revocation`,
});

/** The resource indicator of the sandbox data API: the default (and only) audience of sandbox tokens. */
export const sandboxResource = (publicUrl: string) => `${publicUrl}/sandbox/v1`;

const clientScopes = (client: { metadata(): Record<string, unknown> }): string[] =>
  (client.metadata()[CLIENT_SCOPES_METADATA] as string[] | undefined) ?? [];

/**
 * oidc-provider's configuration, each FAPI 2.0 rule of the SPEC set here explicitly (the library's
 * `fapi` profile alone does not enforce them all; test/oauth-fapi.e2e-spec.ts has one test per rule):
 * PAR required (`requirePushedAuthorizationRequests`; a request_uri lives 60 s, fixed by the
 * library), PKCE always with S256 only, `response_type=code` only, redirect URIs matched exactly and
 * never omitted, `iss` in every authorization response (RFC 9207, always on in oidc-provider 9),
 * codes single use (PostgreSQL adapter's atomic `consume`) and 60 s, PS256/ES256/EdDSA only, refresh
 * tokens never rotated, access tokens in the Authorization header only, `authorization_details`
 * limited to `account_access` (any other type is `invalid_authorization_details`).
 */
export function oauthConfiguration(deps: OAuthConfigurationDeps): Configuration {
  const resource = sandboxResource(deps.publicUrl);
  const algorithms = [...OAUTH_SIGNING_ALGORITHMS];
  return {
    adapter: deps.adapter,
    jwks: { keys: [deps.signingKey.jwk as never] },
    cookies: { keys: deps.signingKey.cookieKeys },
    clients: [],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: deps.signingKey.jwk.alg,
    },
    // Secrets for sandbox client ids; a certificate or a signed assertion for production ones (oauth-clients.ts).
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'tls_client_auth', 'private_key_jwt'],
    ...(deps.mtlsPublicUrl ? { discovery: { mtls_endpoint_aliases: mtlsEndpointAliases(deps.mtlsPublicUrl) } } : {}),
    extraClientMetadata: { properties: [CLIENT_SCOPES_METADATA] },
    responseTypes: ['code'],
    // Each type's `validate` sees one detail; the request as a whole must hold exactly one
    // account_access (the consent screen shows one request and creates one consent).
    extraParams: {
      authorization_details: async (_ctx: KoaContextWithOIDC, value: string | undefined) => {
        const parsed = requestedAccountAccess(value);
        if (!parsed.ok) throw new errors.InvalidAuthorizationDetails(parsed.errors.join('; '));
      },
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    acceptQueryParamAccessTokens: false,
    scopes: [],
    clockTolerance: 5,
    enabledJWA: {
      clientAuthSigningAlgValues: algorithms,
      idTokenSigningAlgValues: algorithms,
      requestObjectSigningAlgValues: algorithms,
      userinfoSigningAlgValues: algorithms,
      introspectionSigningAlgValues: algorithms,
      authorizationSigningAlgValues: algorithms,
      dPoPSigningAlgValues: ['ES256', 'EdDSA'],
    },
    ttl: {
      AuthorizationCode: OAUTH_TTL.authorizationCode,
      AccessToken: OAUTH_TTL.accessToken,
      Interaction: OAUTH_TTL.interaction,
      Session: OAUTH_TTL.session,
      // A grant lives as long as its consent (set when the consent screen saves it); these are fallbacks.
      Grant: OAUTH_TTL.interaction,
      // A refresh token lives no longer than the consent behind it (SPEC), i.e. its grant.
      RefreshToken: (ctx) => {
        const grant = ctx?.oidc.entities.Grant;
        const exp = grant?.exp;
        return exp ? Math.max(1, exp - Math.floor(Date.now() / 1000)) : OAUTH_TTL.accessToken;
      },
    },
    rotateRefreshToken: false,
    // Confidential clients get a refresh token with every consent, without asking for offline_access (SPEC).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // Every authorization request goes through the consent screen: a consent is never reused silently.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    // Whenever oidc-provider revokes a grant, the grant itself goes too (and with it the consent:
    // see the adapter's Grant.destroy); the library revokes every token of a grant even for an
    // access token's revocation, and a consent without tokens must not look active.
    revokeGrantPolicy: () => true,
    findAccount: async (_ctx, sub) =>
      (await deps.customerExists(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined,
    interactions: {
      url: (_ctx, interaction) => `${deps.publicUrl}/consent/${interaction.uid}`,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      claimsParameter: { enabled: false },
      registration: { enabled: false },
      fapi: { enabled: true, profile: '2.0' },
      // RFC 8705: client certificates authenticate production clients (`tls_client_auth`) and bind
      // their tokens (`cnf.x5t#S256`). The certificate is the TLS peer's or a trusted proxy's
      // Client-Cert header (client-certificate.ts); whether it is ours and the client's is decided
      // before the provider runs (deps.certificateAuthorized); the SAN URI must name the client.
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        getCertificate: (ctx: KoaContextWithOIDC) => presentedCertificate(ctx.req),
        certificateAuthorized: (ctx: KoaContextWithOIDC) => deps.certificateAuthorized(ctx),
        certificateSubjectMatches: (ctx: KoaContextWithOIDC, property: string, expected: string) => {
          const certificate = presentedCertificate(ctx.req);
          return property === 'tls_client_auth_san_uri' && !!certificate && sanUris(certificate).includes(expected);
        },
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      introspection: {
        enabled: true,
        // Phase 1: a client introspects its own tokens only (the gateway's own credential comes with production).
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: SCOPE_NAMES.join(' '),
            audience: resource,
            accessTokenFormat: 'opaque',
            accessTokenTTL: OAUTH_TTL.accessToken,
          };
        },
      },
      richAuthorizationRequests: {
        enabled: true,
        types: {
          [ACCOUNT_ACCESS_TYPE]: {
            validate: (_ctx: KoaContextWithOIDC, detail: unknown, client: { metadata(): Record<string, unknown> }) => {
              const parsed = parseAccountAccess(detail);
              if (!parsed.ok) throw new errors.InvalidAuthorizationDetails(parsed.errors.join('; '));
              const allowed = clientScopes(client);
              const foreign = parsed.value.scopes.find((s) => !allowed.includes(s));
              if (foreign) throw new errors.InvalidAuthorizationDetails(`the app may not ask for ${foreign}`);
            },
          },
        },
        // The code carries what the customer granted (stored on the grant by the consent screen),
        // never what the app asked for; tokens and introspection carry the consent as it is now
        // (narrowed since, perhaps), and a consent no longer active issues nothing.
        authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar,
        authorizationDetailsForAccessToken: async (_ctx, token, source) => {
          if (!source?.grantId || !source.accountId) return source?.rar;
          const current = await deps.grantedDetails(source.accountId, source.grantId);
          if (!current) throw new errors.InvalidGrant('the consent is no longer active');
          return [current];
        },
        authorizationDetailsForIntrospection: async (_ctx, token) => {
          const { grantId, accountId } = token as { grantId?: string; accountId?: string };
          if (!grantId || !accountId) return token.rar;
          const current = await deps.grantedDetails(accountId, grantId);
          return current ? [current] : token.rar;
        },
      },
    },
  } as Configuration;
}
