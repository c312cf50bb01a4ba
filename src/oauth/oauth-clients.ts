import type { AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import { clientIdUri } from '../apps/ca/certificate-authority';
import { clientIdEnvironment } from '../apps/credentials/client-secret';
import { ACCOUNT_ACCESS_TYPE } from './authorization-details';
import { CLIENT_SCOPES_METADATA } from './oauth-configuration';

/**
 * What oidc-provider is given as `client_secret` for a secret-authenticated client. It is not a
 * secret and never compared: `Client.prototype.compareClientSecret` is replaced (OAuthService) so
 * every presented secret is checked by ClientAuthService against the stored HMAC hashes, with
 * rotation grace. The library needs a value only because its schema requires one for these
 * methods; symmetric algorithms (the other use of a client secret) are disabled.
 */
export const HASHED_SECRET_PLACEHOLDER = 'gatehouse:client-secrets-are-stored-hashed';

interface AppRow {
  name: string;
  redirect_uris: string[];
  scopes: string[];
}

interface ProductionAppRow {
  name: string;
  redirect_uris: string[];
  granted_scopes: string[] | null;
  client_jwks: { keys: Record<string, unknown>[] } | null;
}

export interface ClientSources {
  dataSource: DataSource;
  /** ClientAuthService.productionClientInGoodStanding: approved, not suspended, organisation in good standing. */
  productionInGoodStanding: (clientId: string) => Promise<boolean>;
}

/**
 * oidc-provider's client metadata for a Gatehouse app, read on every lookup (oidc-provider looks a
 * client up on every request that names one, client authentication included), so a suspension —
 * of the app or of its organisation — is `invalid_client` from the next request on (SPEC: "every
 * client authentication goes through the app's standing").
 *
 * Sandbox client ids: `client_secret_basic` or `_post`, the app's redirect URIs, authorization
 * code and refresh token grants. Production client ids (apps approved for production and in good
 * standing only): `private_key_jwt` against the JWKS the developer registered on the app, or else
 * `tls_client_auth` with a Gatehouse certificate naming the client id in its SAN URI (the chain,
 * revocation and ownership are checked by OAuthService's `certificateAuthorized`); either way
 * every access token is bound to the client certificate (`tls_client_certificate_bound_access_tokens`).
 * No client secret is accepted for a production client id.
 */
export async function loadClient(sources: ClientSources, clientId: string): Promise<AdapterPayload | undefined> {
  const environment = clientIdEnvironment(clientId);
  if (environment === 'production') return loadProductionClient(sources, clientId);
  if (environment !== 'sandbox') return undefined;
  const rows = (await sources.dataSource.query(
    `SELECT a.name, a.redirect_uris, a.scopes
       FROM apps a JOIN organisations o ON o.id = a.organisation_id
      WHERE a.sandbox_client_id = $1 AND a.suspended_at IS NULL AND o.suspended_at IS NULL`,
    [clientId],
  )) as AppRow[];
  const app = rows[0];
  if (!app) return undefined;
  return {
    client_id: clientId,
    client_secret: HASHED_SECRET_PLACEHOLDER,
    client_name: app.name,
    redirect_uris: app.redirect_uris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    authorization_details_types: [ACCOUNT_ACCESS_TYPE],
    [CLIENT_SCOPES_METADATA]: app.scopes,
  };
}

async function loadProductionClient(sources: ClientSources, clientId: string): Promise<AdapterPayload | undefined> {
  if (!(await sources.productionInGoodStanding(clientId))) return undefined;
  const rows = (await sources.dataSource.query(
    `SELECT name, redirect_uris, granted_scopes, client_jwks FROM apps WHERE production_client_id = $1`,
    [clientId],
  )) as ProductionAppRow[];
  const app = rows[0];
  if (!app) return undefined;
  const authentication = app.client_jwks?.keys.length
    ? { token_endpoint_auth_method: 'private_key_jwt' as const, jwks: { keys: app.client_jwks.keys } }
    : { token_endpoint_auth_method: 'tls_client_auth' as const, tls_client_auth_san_uri: clientIdUri(clientId) };
  return {
    client_id: clientId,
    client_name: app.name,
    redirect_uris: app.redirect_uris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...authentication,
    tls_client_certificate_bound_access_tokens: true,
    authorization_details_types: [ACCOUNT_ACCESS_TYPE],
    [CLIENT_SCOPES_METADATA]: app.granted_scopes ?? [],
  };
}
