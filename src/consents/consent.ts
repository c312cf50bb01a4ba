import { SCOPE_NAMES } from '../apps/credentials/scopes';
import { CATEGORIES } from '../customers/sandbox/sandbox-generator';

/**
 * The vocabulary of customer consents (SPEC "Customer consents"): statuses, who may end one, the
 * constraints a consent carries and the reasons a decision gives. Pure data, no NestJS.
 */
export const CONSENT_STATUSES = ['active', 'revoked', 'expired'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Who ended a consent: `expiry` leads to `expired`, every other cause to `revoked`. */
export const REVOKED_BY = ['customer', 'app', 'inactivity', 'expiry', 'staff'] as const;
export type RevokedBy = (typeof REVOKED_BY)[number];

export const CONSENT_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type ConsentEnvironment = (typeof CONSENT_ENVIRONMENTS)[number];

/** Data scopes a consent may grant: the app scope catalogue (apps/credentials/scopes.ts). */
export const CONSENT_SCOPES: readonly string[] = SCOPE_NAMES;
/** Transaction categories a consent may be restricted to: the sandbox bank's fixed list (SPEC). */
export const CONSENT_CATEGORIES: readonly string[] = CATEGORIES;

/** A transaction date window, both ends inclusive, as `YYYY-MM-DD`. */
export interface TransactionWindow {
  from: string;
  to: string;
}

/**
 * What a consent lets an app see beyond its scopes. `null` means "not restricted": any date, any
 * merchant, any category. Merchants compare case-insensitively (see `merchantKey`).
 */
export interface ConsentConstraints {
  accountIds: string[];
  transactionWindow: TransactionWindow | null;
  merchants: string[] | null;
  categories: string[] | null;
}

/** The terms a customer agreed to: what narrowing may change. `expiresAt` is ISO 8601 UTC. */
export interface ConsentTerms extends ConsentConstraints {
  scopes: string[];
  expiresAt: string;
}

/** `reason` of a decision (SPEC "Decision point"). */
export const DECISION_REASONS = [
  'allowed',
  'no_consent',
  'revoked',
  'expired',
  'scope_not_granted',
  'account_not_granted',
  'outside_window',
  'merchant_not_granted',
  'category_not_granted',
  'app_suspended',
  'token_invalid',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** How merchant names compare: trimmed, case-folded, inner whitespace collapsed. */
export function merchantKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Milliseconds in a day, for the day-based settings (CONSENT_MAX_DAYS, CONSENT_INACTIVITY_DAYS). */
export const DAY_MS = 86_400_000;
