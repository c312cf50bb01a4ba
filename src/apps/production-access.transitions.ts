import { DomainError } from '../common/errors/domain-error';
import { PRODUCTION_STATUSES, ProductionStatus } from './app.entity';

/**
 * An app's production status (`apps.production_status`) as a state machine: pure data plus one
 * function. Every write of the status goes through `nextProductionStatus`.
 *
 * SPEC "Apps": the developer asks for production access (an `app` review task opens); a reviewer
 * approves, rejects or asks for information. Decisions (where the spec is silent):
 * - Suspension is not a status: it is `suspended_at` beside the status, and standing (standing.ts)
 *   is computed from both and the organisation's verification on every request.
 * - `approved` is final for this column: there is no revocation event yet (suspension covers it).
 * - After `rejected` or `info_requested` the developer may ask again (a new request and task).
 */
interface ProductionAccessRule {
  readonly from: readonly ProductionStatus[];
  readonly to: ProductionStatus;
}

export const PRODUCTION_ACCESS_TRANSITIONS = {
  /** developer (owner/admin) of an approved organisation, with a complete request (AppsService.requestProductionAccess) */
  request: { from: ['none', 'info_requested', 'rejected'], to: 'requested' },
  /** reviewer (a senior_reviewer for high-tier scopes) deciding the app task (AppReviewsService.decide) */
  approve: { from: ['requested'], to: 'approved' },
  /** reviewer deciding the app task */
  reject: { from: ['requested'], to: 'rejected' },
  /** reviewer deciding the app task: the items go to the developer */
  request_info: { from: ['requested'], to: 'info_requested' },
} as const satisfies Record<string, ProductionAccessRule>;

export type ProductionAccessEvent = keyof typeof PRODUCTION_ACCESS_TRANSITIONS;
export const PRODUCTION_ACCESS_EVENTS = Object.keys(PRODUCTION_ACCESS_TRANSITIONS) as ProductionAccessEvent[];

/** Why a developer's request is refused, where a plain "cannot" would not help. */
const REQUEST_REFUSED: Partial<Record<ProductionStatus, string>> = {
  requested: 'A production-access request for this app is already waiting for review',
  approved: 'The app already has production access',
};

/** The events that may fire from `from`, in table order. */
export function allowedProductionAccessEvents(from: ProductionStatus): ProductionAccessEvent[] {
  return PRODUCTION_ACCESS_EVENTS.filter((e) =>
    (PRODUCTION_ACCESS_TRANSITIONS[e].from as readonly string[]).includes(from),
  );
}

/**
 * The status `event` leads to from `from`, or a 409 `conflict` DomainError naming the allowed
 * events. Safe for a status read from the database that is not one of PRODUCTION_STATUSES.
 */
export function nextProductionStatus(from: ProductionStatus, event: ProductionAccessEvent): ProductionStatus {
  const rule: ProductionAccessRule = PRODUCTION_ACCESS_TRANSITIONS[event];
  if (rule.from.includes(from)) return rule.to;
  if (event === 'request' && REQUEST_REFUSED[from]) throw new DomainError('conflict', REQUEST_REFUSED[from]!);
  const allowed = (PRODUCTION_STATUSES as readonly string[]).includes(from) ? allowedProductionAccessEvents(from) : [];
  throw new DomainError('conflict', `Cannot ${event} production access of an app that is ${from}`, {
    from,
    event,
    allowedEvents: allowed,
  });
}
