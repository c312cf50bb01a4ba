import type { ConsentEnvironment, ConsentStatus } from '../consent';
import type { DecidingConsent, StandingApp, StandingOrganisation } from './decision-choice';

/**
 * The SQL the decision point reads (its replica's load and change feed, and its answers from
 * PostgreSQL when the replica is not current), and the mapping of rows to the shapes `decide()`
 * takes. Expiry comes back as epoch milliseconds and windows as `YYYY-MM-DD` text, so no Date is
 * built per consent.
 */
// Lists come joined by U+001F (unit separator): splitting a string is far cheaper than parsing a
// PostgreSQL array literal, and a repeated list is interned by that string without being split.
const CONSENT_COLUMNS = `
  c.id, c.app_id, c.environment, c.status,
  array_to_string(c.scopes, chr(31)) AS scopes, array_to_string(c.account_ids, chr(31)) AS account_ids,
  to_char(c.transaction_from, 'YYYY-MM-DD') AS window_from, to_char(c.transaction_to, 'YYYY-MM-DD') AS window_to,
  array_to_string(c.merchants, chr(31)) AS merchants, array_to_string(c.categories, chr(31)) AS categories,
  (extract(epoch FROM c.expires_at) * 1000)::float8 AS expires_ms, cu.sub`;

/** Every active consent, for the boot load: read through a cursor, one plan, fetched in batches. */
export const SELECT_ACTIVE_CONSENTS = `
  SELECT ${CONSENT_COLUMNS}
    FROM consents c JOIN customers cu ON cu.id = c.customer_id
   WHERE c.status = 'active'`;

/** The consents named by a batch of changes, whatever their status (`$1` uuid[]). */
export const SELECT_CONSENTS_BY_ID = `
  SELECT ${CONSENT_COLUMNS}
    FROM consents c JOIN customers cu ON cu.id = c.customer_id
   WHERE c.id = ANY($1::uuid[])`;

/**
 * One customer's consents with one app in one environment (`$1` app id, `$2` environment, `$3`
 * sub): active ones first, then the most recently ended.
 */
export const SELECT_CONSENTS_OF_PAIR = `
  SELECT ${CONSENT_COLUMNS}
    FROM consents c JOIN customers cu ON cu.id = c.customer_id
   WHERE cu.sub = $3 AND c.app_id = $1 AND c.environment = $2
   ORDER BY (c.status = 'active') DESC, COALESCE(c.revoked_at, c.expires_at) DESC
   LIMIT 50`;

const APP_COLUMNS = `a.id, a.organisation_id, a.sandbox_client_id, a.production_client_id, a.production_status, a.suspended_at`;
const ORGANISATION_COLUMNS = `o.id, o.verification_status, o.requested_items`;

export const SELECT_APPS = `SELECT ${APP_COLUMNS} FROM apps a`;
export const SELECT_APPS_BY_ID = `SELECT ${APP_COLUMNS} FROM apps a WHERE a.id = ANY($1::uuid[])`;
export const SELECT_ORGANISATIONS = `SELECT ${ORGANISATION_COLUMNS} FROM organisations o`;
export const SELECT_ORGANISATIONS_BY_ID = `SELECT ${ORGANISATION_COLUMNS} FROM organisations o WHERE o.id = ANY($1::uuid[])`;

/** An app with its organisation's standing columns, by app id (`$1`) or by either client id (`$2`). */
export const SELECT_APP_WITH_ORGANISATION = `
  SELECT ${APP_COLUMNS}, o.verification_status, o.requested_items
    FROM apps a JOIN organisations o ON o.id = a.organisation_id
   WHERE a.id = $1::uuid OR a.sandbox_client_id = $2 OR a.production_client_id = $2
   LIMIT 1`;

export interface ConsentRow {
  id: string;
  app_id: string;
  environment: ConsentEnvironment;
  status: ConsentStatus;
  /** The lists joined by U+001F (LIST_SEPARATOR). */
  scopes: string;
  account_ids: string;
  window_from: string | null;
  window_to: string | null;
  merchants: string | null;
  categories: string | null;
  expires_ms: number;
  sub: string;
}

export interface AppRow {
  id: string;
  organisation_id: string;
  sandbox_client_id: string;
  production_client_id: string | null;
  production_status: StandingApp['productionStatus'];
  suspended_at: Date | null;
}

export interface OrganisationRow {
  id: string;
  verification_status: string;
  requested_items: StandingOrganisation['requestedItems'] | null;
}

/** Shares equal values: a million consents hold a handful of distinct scope lists, windows and app ids. */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  string(value: string): string;
  string(value: string | null): string | null;
  string(value: string | null): string | null {
    if (value === null) return null;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** A list given joined by LIST_SEPARATOR, split once per distinct value. */
  list(joined: string): readonly string[];
  list(joined: string | null): readonly string[] | null;
  list(joined: string | null): readonly string[] | null {
    if (joined === null) return null;
    const known = this.lists.get(joined);
    if (known !== undefined) return known;
    const frozen = Object.freeze(splitList(joined).map((v) => this.string(v)));
    this.lists.set(joined, frozen);
    return frozen;
  }
}

/** What `array_to_string(list, chr(31))` joins with. */
export const LIST_SEPARATOR = '\u001f';

/** The inverse of `array_to_string(list, chr(31))` (an empty string is an empty list). */
export function splitList(joined: string): string[] {
  return joined === '' ? [] : joined.split(LIST_SEPARATOR);
}

export function consentOf(row: ConsentRow, intern: Interner): DecidingConsent {
  return {
    id: row.id,
    status: intern.string(row.status) as ConsentStatus,
    scopes: intern.list(row.scopes),
    accountIds: splitList(row.account_ids),
    windowFrom: intern.string(row.window_from),
    windowTo: intern.string(row.window_to),
    merchants: intern.list(row.merchants),
    categories: intern.list(row.categories),
    expiresAtMs: row.expires_ms,
    appId: intern.string(row.app_id),
    environment: row.environment === 'production' ? 'production' : 'sandbox',
    customerSub: row.sub,
  };
}

export function appOf(row: AppRow, intern: Interner): StandingApp {
  return {
    id: intern.string(row.id),
    organisationId: row.organisation_id,
    sandboxClientId: row.sandbox_client_id,
    productionClientId: row.production_client_id,
    productionStatus: row.production_status,
    suspendedAt: row.suspended_at,
  };
}

export function organisationOf(row: OrganisationRow): StandingOrganisation {
  return { id: row.id, verificationStatus: row.verification_status, requestedItems: row.requested_items ?? [] };
}

/** The client id an app uses in `environment` (`null`: none yet). */
export function clientIdOf(app: StandingApp, environment: ConsentEnvironment): string | null {
  return environment === 'production' ? app.productionClientId : app.sandboxClientId;
}
