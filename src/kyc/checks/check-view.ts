import { CheckRecord } from './check.entity';

export interface CheckView {
  subject: string;
  name: string;
  result: string;
  reason: string;
}

/**
 * What a developer may see of a check. Sanctions screening is never shown (telling a customer they
 * matched a sanctions list can be tipping-off), and a duplicate names no other organisation.
 */
export function developerCheckView(c: CheckRecord): CheckView | undefined {
  if (c.name === 'sanctions') return undefined;
  const reason =
    c.name === 'duplicate' && c.result === 'fail'
      ? 'this document is already used by another organisation'
      : String(c.detail.reason ?? '');
  return { subject: `${c.subjectType}.${c.subjectId}`, name: c.name, result: c.result, reason };
}

/**
 * What each automated check looks at, in a reviewer's words (SPEC "Automated checks"). Shown next to
 * every check result in the review console, so a pass or a fail says what was checked.
 */
export const CHECK_EXPLANATIONS: Record<string, string> = {
  integrity:
    'The file really is the PDF, JPEG or PNG it claims to be and decodes whole; images are at most 8,000 × 8,000 pixels; PDFs are not encrypted and carry no active content (JavaScript, launch actions, embedded files).',
  mrz: 'The machine-readable zone of the passport or identity card has valid ICAO 9303 check digits, and its name, date of birth, document number and expiry agree with the person and the form.',
  expiry: 'The document has not expired (fail) and does not expire within the next 90 days (warning).',
  duplicate:
    'The same file (by its SHA-256) or the same document number is not already used by another organisation; a match is high risk.',
  sanctions:
    'The organisation and its people are screened against the sanctions list (UK HMT consolidated list format) by fuzzy name match and date of birth; a hit is high risk.',
  registry:
    'The registration number has a valid format for the country (UK Companies House formats at least), and a firm reference number is confirmed with the financial services register.',
};

/** A check's explanation, or a plain fallback for a check this build does not describe. */
export const checkExplanation = (name: string): string =>
  CHECK_EXPLANATIONS[name] ?? 'An automated check of this case; see the detail for what it found.';

/**
 * Reviewers see everything, including the matched list entry and the other case of a duplicate,
 * and what the check looks at (`explanation`, from CHECK_EXPLANATIONS).
 */
export function staffCheckView(c: CheckRecord): CheckView & { explanation: string; detail: Record<string, unknown> } {
  return {
    subject: `${c.subjectType}.${c.subjectId}`,
    name: c.name,
    result: c.result,
    reason: String(c.detail.reason ?? ''),
    explanation: checkExplanation(c.name),
    detail: c.detail,
  };
}
