import { SCOPE_NAMES } from '../apps/credentials/scopes';
import { CATEGORIES } from '../customers/sandbox/sandbox-generator';

/**
 * The one definition of the rich authorization request type `account_access` (RFC 9396; SPEC
 * "OAuth 2 authorisation server"): `{type: "account_access", scopes: [...], transactionWindow?:
 * {from, to}, merchants?: [...], categories?: [...], expiresAt?}`. The authorization request
 * validation, the consent screen and (through the granted form) the token response and
 * introspection all use this module; `ACCOUNT_ACCESS_SCHEMA` is the JSON Schema published for app
 * developers and `parseAccountAccess` is its executable form (kept in step by hand, case by case
 * in authorization-details.spec.ts: there is no JSON Schema engine among the dependencies).
 */
export const ACCOUNT_ACCESS_TYPE = 'account_access';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const MAX_ITEMS = 50;
const MAX_NAME = 100;

/** JSON Schema (2020-12) of one requested `account_access` detail. */
export const ACCOUNT_ACCESS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://gatehouse.example/schemas/account_access.json',
  title: 'account_access authorization detail',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'scopes'],
  properties: {
    type: { const: ACCOUNT_ACCESS_TYPE },
    scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SCOPE_NAMES] } },
    transactionWindow: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: {
        from: { type: 'string', format: 'date', pattern: DATE },
        to: { type: 'string', format: 'date', pattern: DATE },
      },
    },
    merchants: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ITEMS,
      items: { type: 'string', minLength: 1, maxLength: MAX_NAME },
    },
    categories: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...CATEGORIES] } },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** A validated `account_access` request, as an app sent it. */
export interface AccountAccessRequest {
  type: typeof ACCOUNT_ACCESS_TYPE;
  scopes: string[];
  transactionWindow?: { from: string; to: string };
  merchants?: string[];
  categories?: string[];
  /** ISO 8601. */
  expiresAt?: string;
}

/** What the customer granted, as tokens and introspection carry it: the request's shape plus the consent's id and accounts. */
export interface AccountAccessGrant extends AccountAccessRequest {
  consentId: string;
  accountIds: string[];
  expiresAt: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isDate(v: unknown): v is string {
  if (typeof v !== 'string' || !new RegExp(DATE).test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

const isDateTime = (v: unknown): v is string =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
  !Number.isNaN(Date.parse(v));

function enumList(value: unknown, allowed: readonly string[], name: string, errors: string[]): void {
  if (!Array.isArray(value) || value.length === 0) return void errors.push(`${name} must be a non-empty array`);
  if (new Set(value).size !== value.length) errors.push(`${name} must not repeat items`);
  const unknown = value.find((v) => typeof v !== 'string' || !allowed.includes(v));
  if (unknown !== undefined) errors.push(`${name} has an unknown value: ${JSON.stringify(unknown)}`);
}

/**
 * Checks one authorization detail against ACCOUNT_ACCESS_SCHEMA. Errors are short sentences safe
 * to return to the app (`invalid_authorization_details`). A window whose `from` is after its `to`
 * is refused too (beyond what the schema can say).
 */
export function parseAccountAccess(detail: unknown): ParseResult<AccountAccessRequest> {
  const errors: string[] = [];
  if (!isObject(detail)) return { ok: false, errors: ['the authorization detail must be an object'] };
  const known = Object.keys(ACCOUNT_ACCESS_SCHEMA.properties);
  for (const key of Object.keys(detail)) if (!known.includes(key)) errors.push(`unknown field ${key}`);
  if (detail.type !== ACCOUNT_ACCESS_TYPE) errors.push(`type must be ${ACCOUNT_ACCESS_TYPE}`);
  enumList(detail.scopes, SCOPE_NAMES, 'scopes', errors);
  const w = detail.transactionWindow;
  if (w !== undefined) {
    if (!isObject(w) || Object.keys(w).some((k) => k !== 'from' && k !== 'to') || !isDate(w.from) || !isDate(w.to)) {
      errors.push('transactionWindow must be {from, to} with dates as YYYY-MM-DD');
    } else if (w.from > w.to) {
      errors.push('transactionWindow.from must not be after transactionWindow.to');
    }
  }
  const m = detail.merchants;
  if (m !== undefined) {
    if (
      !Array.isArray(m) ||
      m.length === 0 ||
      m.length > MAX_ITEMS ||
      m.some((x) => typeof x !== 'string' || x.length === 0 || x.length > MAX_NAME)
    ) {
      errors.push(`merchants must be 1 to ${MAX_ITEMS} names of 1 to ${MAX_NAME} characters`);
    }
  }
  if (detail.categories !== undefined) enumList(detail.categories, CATEGORIES, 'categories', errors);
  if (detail.expiresAt !== undefined && !isDateTime(detail.expiresAt)) {
    errors.push('expiresAt must be an ISO 8601 date-time');
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: detail as unknown as AccountAccessRequest };
}

/**
 * The `account_access` detail of an authorization request (the raw `authorization_details`
 * parameter). Exactly one is required: the consent screen shows one request and creates one consent.
 */
export function requestedAccountAccess(raw: unknown): ParseResult<AccountAccessRequest> {
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { ok: false, errors: ['authorization_details must be a JSON array'] };
    }
  }
  if (!Array.isArray(parsed)) return { ok: false, errors: ['authorization_details must be a JSON array'] };
  const accountAccess = parsed.filter((d) => isObject(d) && d.type === ACCOUNT_ACCESS_TYPE);
  if (accountAccess.length !== 1) {
    return { ok: false, errors: [`exactly one ${ACCOUNT_ACCESS_TYPE} authorization detail is required`] };
  }
  return parseAccountAccess(accountAccess[0]);
}

/** The consent as it is now, in the shape tokens and introspection carry (`undefined` unless active). */
export function grantedFromConsent(consent: {
  id: string;
  status: string;
  scopes: string[];
  expiresAt: string;
  constraints: {
    accountIds: string[];
    transactionWindow: { from: string; to: string } | null;
    merchants: string[] | null;
    categories: string[] | null;
  };
}): AccountAccessGrant | undefined {
  if (consent.status !== 'active') return undefined;
  const c = consent.constraints;
  return {
    type: ACCOUNT_ACCESS_TYPE,
    consentId: consent.id,
    accountIds: c.accountIds,
    scopes: consent.scopes,
    ...(c.transactionWindow ? { transactionWindow: c.transactionWindow } : {}),
    ...(c.merchants ? { merchants: c.merchants } : {}),
    ...(c.categories ? { categories: c.categories } : {}),
    expiresAt: consent.expiresAt,
  };
}
