import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { OrganisationRole } from './roles';
import { StaffRole, UserKind } from './roles';

/** The authenticated caller, attached to the request by the auth guard. */
export interface Principal {
  userId: string;
  sessionId: string;
  kind: UserKind;
  email: string;
  name: string;
  emailVerified: boolean;
  staffRole: StaffRole | null;
  mfaEnrolled: boolean;
  mfaVerified: boolean;
  /** Set by the guard on organisation routes: the caller's role there. */
  organisationRole?: OrganisationRole;
}

/**
 * A bank customer, known by the `sub` of a bearer JWT from the bank's identity provider (SPEC
 * "Customers and the sandbox bank"); attached to the request by the guard on `@Customer()` routes.
 * Never a `Principal`: customer routes and developer/staff routes accept disjoint kinds of token.
 */
export interface CustomerPrincipal {
  kind: 'customer';
  /** Gatehouse's id of the customer (`customers.id`). */
  customerId: string;
  /** The token's `sub`: the identity provider's name for the customer. */
  sub: string;
  /** The token's `email` claim, when it had one. */
  email: string | null;
}

export type AuthenticatedRequest = Request & { principal?: Principal; customer?: CustomerPrincipal; id?: string };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

/** The customer of a `@Customer()` route. */
export const CurrentCustomer = createParamDecorator((_: unknown, ctx: ExecutionContext): CustomerPrincipal => {
  const customer = ctx.switchToHttp().getRequest<AuthenticatedRequest>().customer;
  if (!customer) throw new Error('CurrentCustomer used on a route without @Customer()');
  return customer;
});

export const RequestId = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<AuthenticatedRequest>().id,
);
