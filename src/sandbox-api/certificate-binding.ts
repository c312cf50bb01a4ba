import type { IncomingMessage } from 'node:http';
import { clientIdEnvironment } from '../apps/credentials/client-secret';
import type { AccessTokenResolution } from '../consents/ports';
import { checkCertificateBinding, presentedCertificate } from '../oauth/client-certificate';

/**
 * Whether the access token may be used on this request given the client certificate it presented
 * (RFC 8705 §3; SPEC "OAuth 2 authorisation server": "in production every access token is
 * certificate-bound and refused without the matching certificate"). Returns why not, or
 * `undefined` when it may. The certificate is the TLS peer's on MTLS_PORT or the RFC 9440 header
 * from a trusted proxy (`presentedCertificate`); the comparison is oauth's `checkCertificateBinding`.
 * A client id of neither environment is refused.
 */
export function certificateBindingRefusal(resolution: AccessTokenResolution, req: IncomingMessage): string | undefined {
  const environment = clientIdEnvironment(resolution.clientId);
  if (environment !== 'sandbox' && environment !== 'production') return 'the token was issued to an unknown client';
  const cnf = resolution.certificateThumbprint ? { 'x5t#S256': resolution.certificateThumbprint } : undefined;
  const verdict = checkCertificateBinding(cnf, presentedCertificate(req), environment);
  return verdict.ok ? undefined : verdict.description;
}
