/**
 * The role and principal-kind vocabularies the access rules speak. They live here, below every
 * area, so the guard and the decorators need nothing from accounts or organisations; the entities
 * there store these values (their CHECK constraints list the same strings).
 */

/** What a Gatehouse staff member may do; `users.staff_role`. */
export const STAFF_ROLES = ['reviewer', 'senior_reviewer', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A developer's role in one organisation; `organisation_members.role`. */
export const ORGANISATION_ROLES = ['owner', 'admin', 'member'] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

/** The kinds of signed-in user; `users.kind`. */
export type UserKind = 'developer' | 'staff';
