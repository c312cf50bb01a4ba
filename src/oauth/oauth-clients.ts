import type { AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';
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

/**
 * oidc-provider's client metadata for a Gatehouse app, read on every lookup (oidc-provider looks a
 * client up on every request that names one, client authentication included), so a suspension —
 * of the app or of its organisation — is `invalid_client` from the next request on (SPEC: "every
 * client authentication goes through the app's standing").
 *
 * Sandbox client ids: `client_secret_basic` or `_post`, the app's redirect URIs, authorization
 * code and refresh token grants. Production client ids: not served yet (phase 2 adds
 * `tls_client_auth` and `private_key_jwt` here), so they are unknown clients.
 */
export async function loadClient(dataSource: DataSource, clientId: string): Promise<AdapterPayload | undefined> {
  if (clientIdEnvironment(clientId) !== 'sandbox') return undefined;
  const rows = (await dataSource.query(
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
