import type { ProductionStatus } from './app.entity';

/**
 * Whether an app's production credentials may be used right now. Computed from current state on
 * every check, never stored, so a suspension, a lapse of verification or a reinstatement takes
 * effect on the next request without anything having to flip credentials on or off.
 */
export interface StandingInput {
  productionStatus: ProductionStatus;
  appSuspendedAt: Date | null;
  organisationStatus: string;
  /** Items a reviewer asked the organisation for. */
  requestedItems: readonly { deadline: string; resolvedAt?: string | null }[];
}

export type StandingProblem = 'not_approved' | 'app_suspended' | 'organisation_not_approved' | 'requirement_past_due';

export function productionStanding(input: StandingInput, now: Date): { ok: true } | { ok: false; problem: StandingProblem; detail: string } {
  if (input.productionStatus !== 'approved') return { ok: false, problem: 'not_approved', detail: 'The app is not approved for production' };
  if (input.appSuspendedAt !== null) return { ok: false, problem: 'app_suspended', detail: 'The app is suspended' };
  if (input.organisationStatus !== 'approved') {
    return { ok: false, problem: 'organisation_not_approved', detail: `The organisation's verification is ${input.organisationStatus}` };
  }
  const pastDue = input.requestedItems.some((i) => !i.resolvedAt && new Date(i.deadline).getTime() <= now.getTime());
  if (pastDue) return { ok: false, problem: 'requirement_past_due', detail: 'Information the organisation was asked for is past its deadline' };
  return { ok: true };
}
