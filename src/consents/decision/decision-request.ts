import type { FieldError } from '../../common/errors/domain-error';
import { CONSENT_CATEGORIES, CONSENT_SCOPES } from '../consent';
import type { DecisionResource } from '../consent-decision';

/**
 * Whose consent a decision is about: an access token (resolved through ACCESS_TOKEN_RESOLVER), or
 * an app's client id and the customer as the bank knows them (`customerId` is the customer's `sub`
 * in the bank's identity tokens, not Gatehouse's internal customer id).
 */
export type DecisionSubject = { accessToken: string } | { clientId: string; customerId: string };

/** A request to the decision point, checked. */
export interface DecisionRequest {
  subject: DecisionSubject;
  scope: string;
  resource: DecisionResource | undefined;
}

const TOP_LEVEL = new Set(['accessToken', 'clientId', 'customerId', 'scope', 'resource']);
const RESOURCE_KEYS = new Set(['accountId', 'transactionDate', 'merchant', 'category']);
const SCOPES = new Set(CONSENT_SCOPES);
const CATEGORIES = new Set(CONSENT_CATEGORIES);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar day (2026-02-30 is not). */
function isCalendarDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(+y, +m - 1, +d));
  return date.getUTCFullYear() === +y && date.getUTCMonth() === +m - 1 && date.getUTCDate() === +d;
}

/** `YYYY-MM-DD`, or an ISO 8601 timestamp with an offset (its date part, as written, is the day). */
export function isTransactionDate(value: string): boolean {
  const m = DAY.exec(value) ?? TIMESTAMP.exec(value);
  return m !== null && isCalendarDay(m[1]!, m[2]!, m[3]!) && !Number.isNaN(Date.parse(value));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(errors: FieldError[], field: string, value: unknown, max: number): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    errors.push({ field, message: `${field} must be a non-empty string of at most ${max} characters` });
    return false;
  }
  return true;
}

function parseResource(errors: FieldError[], value: unknown): DecisionResource | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    errors.push({ field: 'resource', message: 'resource must be an object' });
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!RESOURCE_KEYS.has(key)) errors.push({ field: `resource.${key}`, message: 'this field should not exist' });
  }
  const resource: DecisionResource = {};
  const { accountId, transactionDate, merchant, category } = value;
  if (accountId !== undefined && text(errors, 'resource.accountId', accountId, 64)) resource.accountId = accountId;
  if (transactionDate !== undefined) {
    if (typeof transactionDate === 'string' && isTransactionDate(transactionDate))
      resource.transactionDate = transactionDate;
    else
      errors.push({
        field: 'resource.transactionDate',
        message: 'resource.transactionDate must be a date (YYYY-MM-DD) or an ISO 8601 timestamp with an offset',
      });
  }
  if (merchant !== undefined && text(errors, 'resource.merchant', merchant, 200)) resource.merchant = merchant;
  if (category !== undefined) {
    if (typeof category === 'string' && CATEGORIES.has(category)) resource.category = category;
    else
      errors.push({
        field: 'resource.category',
        message: `resource.category must be one of: ${CONSENT_CATEGORIES.join(', ')}`,
      });
  }
  return resource;
}

/**
 * Checks a decision request by hand (this is the hot path: no class instances, one pass). Exactly
 * one of `{accessToken}` and `{clientId, customerId}`; `scope` from the consent scopes; `resource`
 * optional with only its four fields. Returns the request, or every field error at once (the
 * caller answers 400 problem+json with them).
 */
export function parseDecisionRequest(body: unknown): DecisionRequest | FieldError[] {
  if (!isRecord(body)) return [{ field: 'body', message: 'the body must be a JSON object' }];
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.has(key)) errors.push({ field: key, message: 'this field should not exist' });
  }
  const { accessToken, clientId, customerId, scope } = body;
  let subject: DecisionSubject | undefined;
  if (accessToken !== undefined) {
    if (clientId !== undefined || customerId !== undefined)
      errors.push({
        field: 'accessToken',
        message: 'send either accessToken or clientId with customerId, not both',
      });
    else if (text(errors, 'accessToken', accessToken, 8192)) subject = { accessToken };
  } else if (clientId === undefined && customerId === undefined) {
    errors.push({ field: 'clientId', message: 'send either accessToken or clientId with customerId' });
  } else {
    const client = text(errors, 'clientId', clientId, 64);
    const customer = text(errors, 'customerId', customerId, 255);
    if (client && customer) subject = { clientId: clientId as string, customerId: customerId as string };
  }
  if (typeof scope !== 'string' || !SCOPES.has(scope))
    errors.push({ field: 'scope', message: `scope must be one of: ${CONSENT_SCOPES.join(', ')}` });
  const resource = parseResource(errors, body.resource);
  if (errors.length > 0 || !subject) return errors;
  return { subject, scope: scope as string, resource };
}
