/**
 * The scope catalogue: what an app may ask a customer for, how risky each scope is, and what a
 * production app must have before a reviewer may grant it. Pure data and helpers, no NestJS.
 *
 * Descriptions say, in one sentence, what the app can see or do with the scope; they are written
 * for developers choosing scopes and reviewers weighing them. (The wording a customer consents to
 * is versioned with each consent receipt and may be phrased differently.)
 */

export type ScopeTier = 'low' | 'medium' | 'high';

export const SCOPES = {
  'accounts:read': {
    tier: 'low',
    title: 'Accounts',
    description:
      "Lets the app see which accounts the customer shares — each account's name, type, currency and masked number — but not balances or transactions.",
  },
  'balances:read': {
    tier: 'low',
    title: 'Balances',
    description: 'Lets the app see the current and available balance of each account the customer shares.',
  },
  'transactions:read': {
    tier: 'medium',
    title: 'Transactions',
    description:
      'Lets the app see the transactions on the shared accounts within the consented date window — amounts, dates, merchants, categories and descriptions — which reveal a lot about how the customer lives.',
  },
  'payees:read': {
    tier: 'medium',
    title: 'Payees',
    description:
      "Lets the app see the customer's saved payees — names and account details of the people and businesses they pay — which is personal data about third parties too.",
  },
  'identity:read': {
    tier: 'high',
    title: 'Identity',
    description:
      'Lets the app see the personal details the bank holds about the customer — full name, date of birth, home address, email and phone number — enough to impersonate them if leaked.',
  },
  'payments:initiate': {
    tier: 'high',
    title: 'Payments',
    description:
      "Lets the app start payments out of the customer's shared accounts within the limits of the consent, which means it can move the customer's money.",
  },
} as const satisfies Record<string, { tier: ScopeTier; title: string; description: string }>;

export type Scope = keyof typeof SCOPES;

export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

/** What production access needs, by tier. Sandbox apps may request any scope against synthetic data. */
export interface TierRequirements {
  /** The organisation must be authorised by the FCA (its register number verified in KYB). */
  fcaRegulated: boolean;
  /** The app must hold a Gatehouse-issued client certificate (mTLS-bound tokens). */
  clientCertificate: boolean;
  /** The production-access decision needs a senior reviewer. */
  seniorReview: boolean;
}

export const TIER_REQUIREMENTS: Readonly<Record<ScopeTier, Readonly<TierRequirements>>> = {
  low: { fcaRegulated: false, clientCertificate: false, seniorReview: false },
  medium: { fcaRegulated: false, clientCertificate: false, seniorReview: false },
  high: { fcaRegulated: true, clientCertificate: true, seniorReview: true },
};

const TIER_RANK: Record<ScopeTier, number> = { low: 0, medium: 1, high: 2 };

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCOPES, value);
}

/** The tier of a catalogue scope, or undefined for anything else. */
export function tierOf(scope: string): ScopeTier | undefined {
  return isScope(scope) ? SCOPES[scope].tier : undefined;
}

/** The highest tier among the scopes; an unknown scope counts as high (fail closed). */
export function highestTier(scopes: readonly string[]): ScopeTier | undefined {
  let highest: ScopeTier | undefined;
  for (const scope of scopes) {
    const tier = tierOf(scope) ?? 'high';
    if (highest === undefined || TIER_RANK[tier] > TIER_RANK[highest]) highest = tier;
  }
  return highest;
}

/** Everything production access to these scopes requires. Unknown scopes fail closed (as high). */
export function requirementsFor(scopes: readonly string[]): TierRequirements {
  const tier = highestTier(scopes);
  return { ...TIER_REQUIREMENTS[tier ?? 'low'] };
}

/**
 * Whether a production-access request for these scopes needs a senior reviewer. Unknown scopes
 * should have been refused by validation already; if one gets here it counts as high risk.
 */
export function requiresSeniorReview(scopes: readonly string[]): boolean {
  return requirementsFor(scopes).seniorReview;
}

/**
 * The security attestation asked for with a production-access request. Each item teaches while
 * it asks: the explanation says why a bank cares, for a developer at a small fintech who may be
 * meeting the question for the first time.
 */
export const SECURITY_ATTESTATION = {
  tokensEncryptedAtRest: {
    title: 'Access and refresh tokens are encrypted at rest',
    explanation:
      "A token is as good as the customer's permission: whoever holds it can read what the consent allows, without a password. Store tokens encrypted with a key kept outside the database (a KMS or secrets manager), so a leaked backup or SQL injection exposes ciphertext, not live access. Database-level disk encryption alone does not count: it does nothing against someone who can query the database.",
  },
  leastPrivilege: {
    title: 'You ask only for the scopes, accounts and time you need',
    explanation:
      'Every scope you hold is data you must protect and can leak, and customers trust apps that ask for less. Request only the scopes your feature uses today, narrowed to the accounts and date window it needs, and give your own staff and services the same treatment: only what their job requires. A reviewer will compare your scopes with your justification for each.',
  },
  noCustomerDataInLogs: {
    title: 'No customer data or tokens in logs',
    explanation:
      'Logs are copied everywhere — to log services, error trackers, support tickets and laptops — and are rarely access-controlled or deleted like a database is. Log identifiers (request ids, your own user ids), never account numbers, balances, transactions, names or tokens, and check that your error tracker does not capture request bodies or headers by default.',
  },
  breachNotification72h: {
    title: 'You will tell the bank of a breach within 72 hours',
    explanation:
      'If customer data or credentials you hold may have been exposed, tell the bank within 72 hours of becoming aware, even before you know the full extent. That matches the UK GDPR deadline for reporting to the ICO, and it lets the bank revoke tokens and protect customers while you investigate. Know now who in your company makes that call and how they reach us.',
  },
  deleteOnConsentRevocation: {
    title: 'You delete customer data when consent is revoked',
    explanation:
      'When a customer revokes consent, or it expires, your right to their data ends with it: delete what you fetched under that consent (or anonymise it irreversibly) unless a law obliges you to keep it, and stop any background refreshes. Gatehouse sends a consent.revoked webhook so you can do this automatically; build the handler before you go live, not after the first complaint.',
  },
} as const satisfies Record<string, { title: string; explanation: string }>;

export type SecurityAttestationItem = keyof typeof SECURITY_ATTESTATION;

export const SECURITY_ATTESTATION_ITEMS = Object.keys(SECURITY_ATTESTATION) as SecurityAttestationItem[];
