import { CustomerPrincipal, Principal } from './principal';
import { OrganisationRole } from './roles';

/**
 * The questions the guard asks of areas above it. Auth (L2) may not import accounts or
 * organisations, so it names what it needs here and those areas bind the tokens to their services
 * (see the `provide:` entries in accounts.module.ts and organisations.module.ts); the composition
 * root hands those modules to AuthModule.forRoot.
 */

/** DI token for the {@link SessionAuthenticator}; bound to SessionsService in AccountsModule. */
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

export interface SessionAuthenticator {
  /**
   * The principal behind a bearer token (the token itself, without "Bearer "), or undefined when
   * the token is unknown, expired, revoked or its user disabled. Returns a fresh object the caller
   * may add per-request fields to.
   */
  authenticate(token: string): Promise<Principal | undefined>;
}

/** DI token for the {@link OrganisationMembership}; bound in OrganisationsModule. */
export const ORGANISATION_MEMBERSHIP = Symbol('ORGANISATION_MEMBERSHIP');

/** Both take UUIDs; the guard answers 404 to anything else before asking. */
export interface OrganisationMembership {
  /** The user's role in the organisation, or undefined when not a member (or no such organisation). */
  roleOf(organisationId: string, userId: string): Promise<OrganisationRole | undefined>;
  /** Whether the organisation exists at all: staff reach every organisation, but not a missing one. */
  exists(organisationId: string): Promise<boolean>;
}

/** DI token for the {@link CustomerAuthenticator}; bound in CustomersModule. */
export const CUSTOMER_AUTHENTICATOR = Symbol('CUSTOMER_AUTHENTICATOR');

/** The outcome of checking a customer's bearer JWT; `reason` is safe to show the caller. */
export type CustomerAuthentication =
  { ok: true; customer: CustomerPrincipal; /** The token's `exp`. */ expiresAt: Date } | { ok: false; reason: string };

export interface CustomerAuthenticator {
  /**
   * Verifies a customer's bearer JWT (the token without "Bearer ") and records the customer;
   * refuses (ok: false) a token that is malformed, expired, from another issuer or audience, or
   * signed by a key or algorithm Gatehouse does not accept.
   */
  authenticate(token: string): Promise<CustomerAuthentication>;
}
