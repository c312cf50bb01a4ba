/** Reason codes a reviewer picks from; the note explains. Kept short and stable: reports group by them. */
export const REASON_CODES = {
  documents_verified: 'Documents verified and consistent',
  identity_confirmed: 'Identity of directors and owners confirmed',
  ownership_clear: 'Ownership and control are clear',
  registry_confirmed: 'Registration confirmed with the register',
  document_unreadable: 'A document is unreadable or incomplete',
  document_expired: 'A document has expired',
  identity_mismatch: 'Identity details do not match the documents',
  ownership_unclear: 'Ownership or control is unclear',
  registry_mismatch: 'Registration details do not match the register',
  sanctions_match: 'A sanctions match could not be ruled out',
  duplicate_documents: 'Documents are used by another organisation',
  fraud_suspected: 'Signs of forgery or fraud',
  high_risk_jurisdiction: 'High-risk jurisdiction or activity',
  insufficient_information: 'More information is needed',
  scopes_justified: 'Each requested scope is justified by the described use',
  security_practices_adequate: 'Security attestation and privacy policy are adequate',
  scopes_excessive: 'The app asks for more data than its use needs',
  justification_insufficient: 'A scope justification does not explain the use',
  privacy_policy_inadequate: 'The privacy policy is missing or does not cover this use',
  security_concerns: 'The security practices described are not adequate',
  other: 'Other (see the note)',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;
export const REASON_CODE_KEYS = Object.keys(REASON_CODES) as ReasonCode[];

export const LEASE_MS = 30 * 60_000;
export const SLA_WORKING_DAYS = 2;
export const REQUEST_INFO_DEADLINE_DAYS = 14;
export const SLA_ALERT_FRACTION = 0.8;
export const DIGEST_EVERY_MS = 15 * 60_000;

export const RISK_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };
export const STAGE_RANK = { second: 0, first: 1 } as const;

/** `days` working days after `from` (Saturdays and Sundays skipped; bank holidays are not known here). */
export function addWorkingDays(from: Date, days: number): Date {
  const result = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    result.setUTCDate(result.getUTCDate() + 1);
    const weekday = result.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return result;
}
