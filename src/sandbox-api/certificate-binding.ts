import type { IncomingMessage } from 'node:http';
import { clientIdEnvironment } from '../apps/credentials/client-secret';
import type { AccessTokenResolution } from '../consents/ports';

/**
 * THE HOOK for certificate-bound access tokens (RFC 8705 §3, SPEC "OAuth 2 authorisation server":
 * "in production every access token is certificate-bound and refused without the matching
 * certificate"). Returns why the token may not be used on this request, or `undefined` when it may.
 *
 * The certificate check itself (`checkCertificateBinding(cnf, presentedCertificate(req), environment)`)
 * is being added to src/oauth/client-certificate.ts in parallel. Until it is wired in here this
 * fails closed: a token that carries `cnf.x5t#S256`, and any production client's token, is refused
 * (never allowed without its certificate). A sandbox token without `cnf` needs no certificate.
 */
export function certificateBindingRefusal(
  resolution: AccessTokenResolution,
  // The request is where the presented certificate will be read from (TLS peer or trusted proxy header).
  _req: IncomingMessage,
): string | undefined {
  if (resolution.certificateThumbprint) return 'this access token is certificate-bound and cannot be checked here';
  if (clientIdEnvironment(resolution.clientId) !== 'sandbox')
    return 'production access tokens must be certificate-bound';
  return undefined;
}
