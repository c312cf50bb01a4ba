import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ORGANISATION_ROLES, OrganisationRole, StaffRole } from './roles';

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
  /**
   * A member of the organisation named by the `:orgId` route parameter, with one of these roles;
   * staff (with MFA) too when `staff`.
   */
  | { kind: 'organisation'; roles: OrganisationRole[]; staff?: boolean }
  /** Staff with MFA, with one of these roles (any role when empty). */
  | { kind: 'staff'; roles: StaffRole[] }
  /** A bank customer with a bearer JWT from the bank's identity provider; no developer or staff token. */
  | { kind: 'customer' };

export const Public = () => SetMetadata(ACCESS, { kind: 'public' } satisfies AccessRule);

/** Every rule but `public` needs a bearer token, which the OpenAPI document says too. */
const withToken = (rule: AccessRule) => applyDecorators(SetMetadata(ACCESS, rule), ApiBearerAuth());

export const Authenticated = (options: { beforeMfa?: boolean } = {}) =>
  withToken({ kind: 'authenticated', beforeMfa: options.beforeMfa ?? false });

export const Developer = (options: { verifiedEmail?: boolean } = {}) =>
  withToken({ kind: 'developer', verifiedEmail: options.verifiedEmail ?? false });

/** Members with one of these roles (any role when none is named). */
export const OrganisationMember = (...roles: OrganisationRole[]) =>
  withToken({ kind: 'organisation', roles: roles.length ? roles : [...ORGANISATION_ROLES] });

/** Members of the organisation and staff with MFA (whose reads the service audits). */
export const OrganisationMemberOrStaff = () =>
  withToken({ kind: 'organisation', roles: [...ORGANISATION_ROLES], staff: true });

export const Staff = (...roles: StaffRole[]) => withToken({ kind: 'staff', roles });

/** Bank customers only (a verified customer JWT); developer and staff session tokens are refused. */
export const Customer = () => withToken({ kind: 'customer' });
