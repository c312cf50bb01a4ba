/**
 * The values of `organisations.verification_status`, and the one rule this area applies to it: the
 * developer edits the organisation's details (and its people and documents) only while nothing is
 * under review. How the status moves is kyc's state machine (kyc/verification/verification.transitions.ts).
 *
 * SPEC "Organisations (KYB)": details are editable while `unverified` or `info_requested`.
 */
export const VERIFICATION_STATUSES = [
  'unverified',
  'submitted',
  'pending_review',
  'in_review',
  'info_requested',
  'awaiting_second_approval',
  'approved',
  'rejected',
  'suspended',
  'expired',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Statuses in which the developer may edit the organisation, its people and documents. */
const EDITABLE: readonly VerificationStatus[] = ['unverified', 'info_requested'];

export function isVerificationStatus(value: unknown): value is VerificationStatus {
  return typeof value === 'string' && (VERIFICATION_STATUSES as readonly string[]).includes(value);
}

/** True only while the developer may edit details; false for any unknown status read from the database. */
export function isEditable(status: string): boolean {
  return isVerificationStatus(status) && EDITABLE.includes(status);
}
