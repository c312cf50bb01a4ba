import type { components } from '../../api/schema';

/**
 * Plain words for the customer pages. The vocabulary itself (scopes with their titles and
 * descriptions, statuses, who ended a consent, categories, endpoints) comes from the API; this file
 * only turns its codes into sentences a bank customer reads without a glossary.
 */

export type ConsentView = components['schemas']['ConsentView'];
export type ConsentDetail = components['schemas']['CustomerConsentDetailView'];
export type ConnectedApp = components['schemas']['ConnectedAppView'];
export type AccessLogEntry = components['schemas']['AccessLogEntryView'];
export type Interaction = components['schemas']['InteractionView'];
export type Constraints = components['schemas']['ConsentConstraintsView'];
export type Category = NonNullable<Constraints['categories']>[number];

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

/** "3 March 2027" for an ISO timestamp or a YYYY-MM-DD date (read as UTC). */
export function day(isoOrDate: string): string {
  return DATE.format(new Date(isoOrDate.length === 10 ? `${isoOrDate}T00:00:00Z` : isoOrDate));
}

/** "3 Mar 2027, 14:05:09 UTC". */
export function moment(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}

/** "groceries" → "Groceries", "eating_out" → "Eating out": the API's category codes, readable. */
export function categoryLabel(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A list read aloud: "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Which transactions the app may see, by date. */
export function windowWords(window: Constraints['transactionWindow']): string {
  return window
    ? `Only transactions dated ${day(window.from)} to ${day(window.to)}`
    : 'Transactions of any date, past and future, while the consent lasts';
}

export function merchantWords(merchants: Constraints['merchants']): string {
  return merchants ? `Only transactions with ${listWords(merchants)}` : 'Any merchant';
}

export function categoryWords(categories: Constraints['categories']): string {
  return categories ? `Only ${listWords(categories.map((c) => categoryLabel(c).toLowerCase()))}` : 'Any category';
}

/** A consent's status for its customer. */
export function statusWords(c: Pick<ConsentView, 'status' | 'revokedBy' | 'revokedAt' | 'expiresAt'>): string {
  if (c.status === 'active') return `Active until ${day(c.expiresAt)}`;
  if (c.status === 'expired') return `Expired on ${day(c.revokedAt ?? c.expiresAt)}`;
  const by: Record<NonNullable<ConsentView['revokedBy']>, string> = {
    customer: 'by you',
    app: 'by the app',
    inactivity: 'because the app had not used it for a while',
    expiry: 'because it reached its end date',
    staff: 'by the bank',
  };
  return `Revoked ${c.revokedBy ? by[c.revokedBy] : ''}${c.revokedAt ? ` on ${day(c.revokedAt)}` : ''}`.replace(
    /\s+/g,
    ' ',
  );
}

export const STATUS_COLOUR: Record<ConsentView['status'], string> = {
  active: 'green',
  revoked: 'gray',
  expired: 'gray',
};

/** What an access log entry's endpoint read, in words (the API names them in DATA_API_ENDPOINTS). */
export function endpointWords(endpoint: string): string {
  if (/\/transactions$/.test(endpoint)) return 'Transactions';
  if (/\/balances$/.test(endpoint)) return 'Balances';
  if (/\/accounts$/.test(endpoint)) return 'List of accounts';
  return endpoint;
}

/** An account as the customer knows it: "Sandbox current 1 (****1234)", or its id when unknown. */
export function accountLabel(id: string, accounts: readonly { id: string; name: string; maskedNumber: string }[]) {
  const a = accounts.find((x) => x.id === id);
  return a ? `${a.name} (${a.maskedNumber})` : `Account ${id}`;
}
