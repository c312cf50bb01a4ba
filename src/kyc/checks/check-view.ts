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

/** Reviewers see everything, including the matched list entry and the other case of a duplicate. */
export function staffCheckView(c: CheckRecord): CheckView & { detail: Record<string, unknown> } {
  return {
    subject: `${c.subjectType}.${c.subjectId}`,
    name: c.name,
    result: c.result,
    reason: String(c.detail.reason ?? ''),
    detail: c.detail,
  };
}
