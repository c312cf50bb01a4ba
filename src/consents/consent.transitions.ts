import { DomainError } from '../common/errors/domain-error';
import { CONSENT_STATUSES, ConsentStatus, RevokedBy } from './consent';

/**
 * A consent's status (`consents.status`) as a state machine: pure data plus one function. Every
 * write of the status goes through `nextConsentStatus` (ConsentsService).
 *
 * SPEC "Customer consents": a consent is granted `active`; the customer narrows it (it stays
 * `active`, its version moves); it ends `revoked` (customer, app, inactivity, staff) or `expired`
 * (its `expiresAt` passed). Ended consents are final: a new grant is a new consent. App or
 * organisation suspension is not a status: decisions deny with `app_suspended` while it lasts and
 * a reinstatement restores the consents still in date.
 */
interface ConsentRule {
  readonly from: readonly ConsentStatus[];
  readonly to: ConsentStatus;
  readonly by: readonly RevokedBy[];
}

export const CONSENT_TRANSITIONS = {
  /** the customer drops accounts or scopes, shortens the window or the expiry, adds restrictions */
  narrow: { from: ['active'], to: 'active', by: ['customer'] },
  /** the customer, the app (OAuth revocation), the inactivity job, or staff */
  revoke: { from: ['active'], to: 'revoked', by: ['customer', 'app', 'inactivity', 'staff'] },
  /** the expiry job, once `expiresAt` has passed */
  expire: { from: ['active'], to: 'expired', by: ['expiry'] },
} as const satisfies Record<string, ConsentRule>;

export type ConsentEvent = keyof typeof CONSENT_TRANSITIONS;

/** The event that ends a consent for a cause: `expiry` expires it, every other cause revokes it. */
export function endingEvent(by: RevokedBy): ConsentEvent {
  return by === 'expiry' ? 'expire' : 'revoke';
}

/**
 * The status `event` fired by `by` leads to from `from`, or a 409 `conflict` DomainError. Safe for
 * a status read from the database that is not one of CONSENT_STATUSES.
 */
export function nextConsentStatus(from: ConsentStatus, event: ConsentEvent, by: RevokedBy): ConsentStatus {
  const rule: ConsentRule = CONSENT_TRANSITIONS[event];
  if (!rule.by.includes(by)) throw new Error(`${by} cannot ${event} a consent`);
  if (rule.from.includes(from)) return rule.to;
  const known = (CONSENT_STATUSES as readonly string[]).includes(from);
  throw new DomainError(
    'conflict',
    `The consent is ${known ? from : 'in an unknown state'}; it can no longer be changed`,
    {
      from,
      event,
    },
  );
}
