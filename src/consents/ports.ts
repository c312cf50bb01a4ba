import type { EntityManager } from 'typeorm';

/**
 * Ports of the consents area that the OAuth area (a higher layer) implements. Bound in
 * `ConsentsModule.forRoot` from app.module.ts; unbound, consents work without OAuth.
 */

/** Destroys a consent's OAuth grant with its tokens, codes and pushed requests, in the caller's transaction. */
export interface ConsentGrantRevoker {
  revokeGrant(m: EntityManager, consentId: string): Promise<void>;
}
export const CONSENT_GRANT_REVOKER = Symbol('CONSENT_GRANT_REVOKER');

/** What an access token stands for, if it is live: the consent it was issued under and its client. */
export interface AccessTokenResolution {
  consentId: string;
  clientId: string;
  /** RFC 8705 `cnf.x5t#S256` of a certificate-bound token (absent when the token is not bound). */
  certificateThumbprint?: string;
}

/** Resolves an access token presented to the decision point (`{accessToken}`) to its consent. */
export interface AccessTokenResolver {
  /** `undefined` for an unknown, expired or revoked token. */
  resolve(accessToken: string): Promise<AccessTokenResolution | undefined>;
}
export const ACCESS_TOKEN_RESOLVER = Symbol('ACCESS_TOKEN_RESOLVER');
