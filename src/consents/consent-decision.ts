import { ConsentStatus, DecisionReason, merchantKey } from './consent';

/**
 * A consent as the decision needs it, prepared once (merchants already `merchantKey`ed, dates as
 * `YYYY-MM-DD`, expiry as epoch milliseconds) so deciding allocates nothing. The replica of the
 * decision point holds these; the data API builds one from a row.
 */
export interface DecisionConsent {
  id: string;
  status: ConsentStatus;
  scopes: readonly string[];
  accountIds: readonly string[];
  windowFrom: string | null;
  windowTo: string | null;
  merchants: readonly string[] | null;
  categories: readonly string[] | null;
  expiresAtMs: number;
}

/** What an app wants to read: optional parts are not checked when absent. */
export interface DecisionResource {
  accountId?: string;
  /** `YYYY-MM-DD`, or an ISO 8601 timestamp whose date part is used. */
  transactionDate?: string;
  merchant?: string;
  category?: string;
}

/**
 * The one consent rule, used by the decision point and (row by row) by the data API: may the app
 * holding `consent` do `scope` on `resource` at `nowMs`? Checks, in order: the consent exists, is
 * not revoked or expired (status, or `expiresAt` passed even if the expiry job has not run yet),
 * the app is in good standing (SPEC: suspension stops a consent's effect at once), the scope, the
 * account, the transaction window (inclusive), the merchant and the category. The first failure
 * is the reason; the order makes the reason the most useful one to a gateway operator.
 */
export function decide(
  consent: DecisionConsent | undefined,
  appInGoodStanding: boolean,
  scope: string,
  resource: DecisionResource | undefined,
  nowMs: number,
): DecisionReason {
  if (!consent) return 'no_consent';
  if (consent.status === 'revoked') return 'revoked';
  if (consent.status === 'expired' || consent.expiresAtMs <= nowMs) return 'expired';
  if (!appInGoodStanding) return 'app_suspended';
  if (!consent.scopes.includes(scope)) return 'scope_not_granted';
  if (!resource) return 'allowed';
  if (resource.accountId !== undefined && !consent.accountIds.includes(resource.accountId)) {
    return 'account_not_granted';
  }
  if (resource.transactionDate !== undefined && consent.windowFrom !== null) {
    const day = resource.transactionDate.slice(0, 10);
    if (day < consent.windowFrom || day > consent.windowTo!) return 'outside_window';
  }
  if (resource.merchant !== undefined && consent.merchants !== null) {
    if (!consent.merchants.includes(merchantKey(resource.merchant))) return 'merchant_not_granted';
  }
  if (resource.category !== undefined && consent.categories !== null) {
    if (!consent.categories.includes(resource.category)) return 'category_not_granted';
  }
  return 'allowed';
}
