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

export type AuthenticatedRequest = Request & { principal?: Principal; id?: string };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

export const RequestId = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<AuthenticatedRequest>().id,
);
