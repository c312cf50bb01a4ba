import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { OrganisationRole } from './roles';
import { StaffRole } from './roles';

export const ACCESS = 'gatehouse:access';

/**
 * Who may call a route. Every route declares exactly one; the global guard refuses routes without
 * a declaration, and a test fails when one is missing.
 */
export type AccessRule =
  | { kind: 'public' }
  /** Any signed-in developer or staff member (staff without MFA included when `beforeMfa`). */
  | { kind: 'authenticated'; beforeMfa: boolean }
  | { kind: 'developer'; verifiedEmail: boolean }
  /** A member of the organisation named by the `:orgId` route parameter, with one of these roles; staff (with MFA) too when `staff`. */
  | { kind: 'organisation'; roles: OrganisationRole[]; staff?: boolean }
  /** Staff with MFA, with one of these roles (any role when empty). */
  | { kind: 'staff'; roles: StaffRole[] };

export const Public = () => SetMetadata(ACCESS, { kind: 'public' } satisfies AccessRule);

export const Authenticated = (options: { beforeMfa?: boolean } = {}) =>
  applyDecorators(SetMetadata(ACCESS, { kind: 'authenticated', beforeMfa: options.beforeMfa ?? false } satisfies AccessRule), ApiBearerAuth());

export const Developer = (options: { verifiedEmail?: boolean } = {}) =>
  applyDecorators(SetMetadata(ACCESS, { kind: 'developer', verifiedEmail: options.verifiedEmail ?? false } satisfies AccessRule), ApiBearerAuth());

export const OrganisationMember = (...roles: OrganisationRole[]) =>
  applyDecorators(SetMetadata(ACCESS, { kind: 'organisation', roles: roles.length ? roles : ['owner', 'admin', 'member'] } satisfies AccessRule), ApiBearerAuth());

/** Members of the organisation and staff with MFA (whose reads the service audits). */
export const OrganisationMemberOrStaff = () =>
  applyDecorators(SetMetadata(ACCESS, { kind: 'organisation', roles: ['owner', 'admin', 'member'], staff: true } satisfies AccessRule), ApiBearerAuth());

export const Staff = (...roles: StaffRole[]) => applyDecorators(SetMetadata(ACCESS, { kind: 'staff', roles } satisfies AccessRule), ApiBearerAuth());
