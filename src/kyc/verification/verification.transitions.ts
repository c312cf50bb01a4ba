import { DomainError } from '../../common/errors/domain-error';
import { VerificationStatus, isVerificationStatus } from '../../organisations/verification-status';

// The status values (the column's type) and the editability rule live with the organisations table.
export { VERIFICATION_STATUSES, isEditable, isVerificationStatus } from '../../organisations/verification-status';
export type { VerificationStatus } from '../../organisations/verification-status';

/**
 * The verification (KYB) state machine of an organisation, as pure data plus three functions.
 * Nothing here touches NestJS or the database: a service loads the status, asks `nextStatus`, and
 * writes the answer with a compare-and-set on the old status.
 *
 * SPEC "Organisations (KYB)": unverified → submitted (automated checks run) → pending_review →
 * in_review → approved | rejected | info_requested (back to submitted on resubmission); a high-risk
 * approval goes through awaiting_second_approval; approved can become suspended (staff) or expired
 * (re-verification due).
 */
interface TransitionRule {
  readonly from: readonly VerificationStatus[];
  readonly to: VerificationStatus;
}

/**
 * Every allowed transition, one named event each. Who fires it is in the comment.
 *
 * Decisions (where the spec is silent):
 * - A second reviewer claiming an `awaiting_second_approval` task does NOT move the status: the
 *   claim is a lease on the review task, and the case must stay marked as needing a *second*
 *   approval, or the first reviewer's plain `approve` from `in_review` would bypass it. So
 *   `review_started`/`review_released` apply to `pending_review`/`in_review` only, and the second
 *   reviewer decides straight from `awaiting_second_approval` (second_approve, reject, request_info).
 * - `rejected` is terminal: the organisation starts over as a new one.
 * - `expire` applies to `approved` only; a suspended organisation is reinstated (to approved) first.
 * - After expiry the developer resubmits (`resubmit`, to `submitted`); the checks and review run again.
 */
export const VERIFICATION_TRANSITIONS = {
  /** developer (owner/admin): nothing is currently due */
  submit: { from: ['unverified', 'info_requested'], to: 'submitted' },
  /** worker: every automated check on the submission has a stored result */
  checks_completed: { from: ['submitted'], to: 'pending_review' },
  /** reviewer claims the kyb task */
  review_started: { from: ['pending_review'], to: 'in_review' },
  /** reviewer releases the task, or the lease expires */
  review_released: { from: ['in_review'], to: 'pending_review' },
  /** reviewer approves a low/medium-risk case */
  approve: { from: ['in_review'], to: 'approved' },
  /** reviewer approves a high-risk case: a different senior_reviewer must also approve */
  approve_high_risk: { from: ['in_review'], to: 'awaiting_second_approval' },
  /** senior_reviewer (not the first approver) */
  second_approve: { from: ['awaiting_second_approval'], to: 'approved' },
  /** reviewer, or the senior_reviewer at the second approval */
  reject: { from: ['in_review', 'awaiting_second_approval'], to: 'rejected' },
  /** reviewer, or the senior_reviewer at the second approval; items become requirements.errors */
  request_info: { from: ['in_review', 'awaiting_second_approval'], to: 'info_requested' },
  /** senior_reviewer */
  suspend: { from: ['approved'], to: 'suspended' },
  /** senior_reviewer */
  reinstate: { from: ['suspended'], to: 'approved' },
  /** scheduler: 12 months after approval, or an identity document expired */
  expire: { from: ['approved'], to: 'expired' },
  /** developer (owner/admin) after expiry: nothing is currently due */
  resubmit: { from: ['expired'], to: 'submitted' },
} as const satisfies Record<string, TransitionRule>;

export type VerificationEvent = keyof typeof VERIFICATION_TRANSITIONS;
export const VERIFICATION_EVENTS = Object.keys(VERIFICATION_TRANSITIONS) as VerificationEvent[];

export class InvalidTransitionError extends DomainError {
  constructor(
    readonly from: string,
    readonly event: string,
    readonly allowedEvents: readonly VerificationEvent[],
  ) {
    super(
      'invalid_state',
      `Cannot ${event} a verification that is ${from}` +
        (allowedEvents.length ? ` (allowed: ${allowedEvents.join(', ')})` : ' (no further transitions)'),
      { from, event, allowedEvents: [...allowedEvents] },
    );
    this.name = 'InvalidTransitionError';
  }
}

export function isVerificationEvent(value: unknown): value is VerificationEvent {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(VERIFICATION_TRANSITIONS, value);
}

/** The events that may fire from `from`, in table order (empty for a terminal or unknown status). */
export function allowedEvents(from: VerificationStatus): VerificationEvent[] {
  return VERIFICATION_EVENTS.filter((event) =>
    (VERIFICATION_TRANSITIONS[event].from as readonly string[]).includes(from),
  );
}

/**
 * The status `event` leads to from `from`, or an InvalidTransitionError (409 invalid_state).
 * Safe for untyped input too (a status string read from the database, an event from a request).
 */
export function nextStatus(from: VerificationStatus, event: VerificationEvent): VerificationStatus {
  if (!isVerificationEvent(event))
    throw new InvalidTransitionError(from, event, isVerificationStatus(from) ? allowedEvents(from) : []);
  const rule: TransitionRule = VERIFICATION_TRANSITIONS[event];
  if (!rule.from.includes(from)) throw new InvalidTransitionError(from, event, allowedEvents(from));
  return rule.to;
}
