import type { ProductionStatus } from '../../apps/app.entity';
import { productionStanding } from '../../apps/standing';
import type { ConsentEnvironment, DecisionReason } from '../consent';
import { DecisionConsent, DecisionResource, decide } from '../consent-decision';

/** A consent as the decision point holds it: what `decide()` needs, plus whose it is. */
export interface DecidingConsent extends DecisionConsent {
  appId: string;
  environment: ConsentEnvironment;
  /** The customer's `sub` (what the bank calls the customer id). */
  customerSub: string;
}

/** What an app's standing depends on (apps columns). */
export interface StandingApp {
  id: string;
  organisationId: string;
  sandboxClientId: string;
  productionClientId: string | null;
  productionStatus: ProductionStatus;
  suspendedAt: Date | null;
}

/** What an organisation's standing depends on (organisations columns). */
export interface StandingOrganisation {
  id: string;
  verificationStatus: string;
  requestedItems: readonly { deadline: string; resolvedAt?: string | null }[];
}

/**
 * Whether a consent of `environment` may take effect for this app now (SPEC "Customer consents":
 * suspending an app or its organisation stops its consents' effect at once).
 * - production: the app's production standing (`productionStanding`, src/apps/standing.ts): approved, app
 *   not suspended, organisation approved, no requested item past its deadline;
 * - sandbox: the app is not suspended and its organisation is not `suspended` (sandbox needs no
 *   approval, so an organisation still being verified keeps its sandbox).
 * An app or organisation that is unknown is not in good standing.
 */
export function inGoodStanding(
  environment: ConsentEnvironment,
  app: StandingApp | undefined,
  organisation: StandingOrganisation | undefined,
  nowMs: number,
): boolean {
  if (!app || !organisation) return false;
  if (environment === 'sandbox') return app.suspendedAt === null && organisation.verificationStatus !== 'suspended';
  const input = {
    productionStatus: app.productionStatus,
    appSuspendedAt: app.suspendedAt,
    organisationStatus: organisation.verificationStatus,
    requestedItems: organisation.requestedItems,
  };
  return productionStanding(input, new Date(nowMs)).ok;
}

/**
 * How useful a denial is to the gateway's operator: the further `decide()` got before refusing,
 * the more the reason says (a consent that lacks only the category beats one that expired).
 * `revoked` and `expired` rank alike, so among ended consents the first listed (the most recent) wins.
 */
export const DENIAL_USEFULNESS: Readonly<Record<DecisionReason, number>> = {
  token_invalid: 0,
  no_consent: 1,
  revoked: 2,
  expired: 2,
  app_suspended: 3,
  scope_not_granted: 4,
  account_not_granted: 5,
  outside_window: 6,
  merchant_not_granted: 7,
  category_not_granted: 8,
  allowed: 9,
};

/** A decision and the consent it was made on (`undefined`: no consent). */
export interface ChosenDecision<C extends DecisionConsent = DecidingConsent> {
  reason: DecisionReason;
  consent: C | undefined;
}

/**
 * Decides over every consent one (client, customer) holds: the first that allows wins; otherwise
 * the most useful denial (DENIAL_USEFULNESS; ties keep the earlier consent). No candidates:
 * `no_consent`. `standing(c)` says whether c's app is in good standing.
 */
export function decideAmong<C extends DecisionConsent>(
  candidates: readonly C[],
  standing: (c: C) => boolean,
  scope: string,
  resource: DecisionResource | undefined,
  nowMs: number,
): ChosenDecision<C> {
  let best: C | undefined;
  let bestReason: DecisionReason = 'no_consent';
  for (const c of candidates) {
    const reason = decide(c, standing(c), scope, resource, nowMs);
    if (reason === 'allowed') return { reason, consent: c };
    if (best === undefined || DENIAL_USEFULNESS[reason] > DENIAL_USEFULNESS[bestReason]) {
      best = c;
      bestReason = reason;
    }
  }
  return { reason: bestReason, consent: best };
}
