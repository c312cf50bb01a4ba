import { randomBytes } from 'node:crypto';
import { StaffService } from '../src/accounts/staff.service';
import { Actor, bearer, createOrganisation, developer, login, owner, staff, tokenFromLink } from './harness/actors';
import { SandboxApp, approvedOrganisation, sandboxApp } from './harness/cases';
import { SignedInCustomer, grantConsent, sandboxCustomer } from './harness/consents';
import { REDIRECT_URI, approve, oidc, startAuthorization, thirdPartyApp } from './harness/oauth';
import { issueCertificate, newKeyAndCsr } from './harness/production';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

/**
 * The authorisation matrix over every route (issue #19): each route the OpenAPI document lists,
 * plus oidc-provider's endpoints under /oauth (listed separately, from its discovery document),
 * called by every kind of caller with real principals, against resources that exist.
 *
 * How to read a cell, and why it is enough:
 * - Nest runs the guard before any pipe or handler, so a refused caller never reaches validation
 *   or the service: 401 (no usable credential), 403 (a credential of the wrong kind or role) or
 *   404 (another tenant's organisation or another customer's consent: hidden, never confirmed).
 * - A caller the guard lets through reaches the handler: `ok` (2xx), `bad` (400 or 422: the body
 *   or query was judged, which only happens after the guard) or 409 (the service judged the
 *   state). Writes are sent an invalid body wherever they take one, so an allowed caller gets
 *   `bad` and nothing changes; writes without a body target something already in the state they
 *   would produce (a revoked consent, a disabled staff member, a revoked credential) or something
 *   the rules refuse (the last owner, a sent email), so they change nothing either.
 * - Every id names a resource that exists and belongs to the organisation or customer of the
 *   first columns, so a 404 means "hidden from this caller", not "no such thing".
 * Exceptions, each said where it happens: `POST /v1/auth/logout` ends the caller's session, so it
 * runs after every other route; `POST /v1/auth/mfa/totp/setup` starts an enrolment (a new pending
 * secret), as it must to be observed at all; `DELETE …/webhook` on an app without a webhook writes
 * an audit entry and changes no column; staff reads of document content are audited (as they must
 * be).
 *
 * A route in the document without a row here fails the test with its name, and so does a row for
 * a route that no longer exists.
 */

/** The kinds of caller, in the order of the table's columns. */
const CALLERS = [
  'owner', // own: developer of the organisation, role owner
  'admin', // adm: developer of the organisation, role admin
  'member', // mem: developer of the organisation, role member
  'otherOrg', // oth: developer who owns another organisation
  'reviewer', // rev: staff, reviewer, two-factor session
  'senior', // sen: staff, senior_reviewer, two-factor session
  'staffAdmin', // sad: staff, admin, two-factor session
  'noMfa', // nom: staff (reviewer) who has not enrolled TOTP
  'customer', // cus: bank customer (customer JWT) who owns the consents
  'otherCust', // ocu: another bank customer
  'appToken', // app: OAuth access token of the organisation's sandbox app, under the customer's consent
  'gateway', // gw: the API gateway's key (GATEWAY_API_KEY)
  'none', // none: no Authorization header
] as const;
type Caller = (typeof CALLERS)[number];

/** `ok`: 2xx. `bad`: 400 or 422 (the request was judged by validation, after the guard let it through). */
type Cell = 'ok' | 'bad' | '401' | '403' | '404' | '409';
const CELLS: readonly string[] = ['ok', 'bad', '401', '403', '404', '409'];

const classify = (status: number): string =>
  status >= 200 && status < 300 ? 'ok' : status === 400 || status === 422 ? 'bad' : String(status);

/** The ids every row draws on: all exist, and all belong to the organisation or customer of the first columns. */
interface Fixture {
  orgId: string;
  appId: string;
  /** A second app of the organisation: its credential and certificate are revoked, its only consent too. */
  spentAppId: string;
  personId: string;
  documentId: string;
  /** The owner's user id: the organisation's only owner, whom nobody may remove. */
  ownerId: string;
  /** The review task of the organisation's approval (done). */
  taskId: string;
  /** A sent email (only dead ones can be retried). */
  emailId: string;
  /** A staff member already disabled (disabling again changes nothing). */
  disabledStaffId: string;
  /** The spent app's revoked credential and certificate. */
  credentialId: string;
  certificateId: string;
  /** The customer's active consent (the app token's) and a revoked one. */
  consentId: string;
  revokedConsentId: string;
  /** A pending authorisation request of the app, waiting at the consent screen. */
  interactionUid: string;
  /** The customer's account the consent grants. */
  accountId: string;
  /** The other customer's first account (no consent names it). */
  otherAccountId: string;
  /** A CSR the app could send (for the object-level probe's valid body). */
  csr: string;
}

interface Call {
  /** Path parameters replacing the fixture's default for that name. */
  params?: (f: Fixture) => Record<string, string>;
  query?: string;
  /** JSON body; `INVALID` for writes. */
  body?: object;
  /** Multipart form fields instead of a JSON body (no file part). */
  multipart?: Record<string, string>;
  /**
   * A valid body, for the object-level probe of a write that takes one (see "names its own
   * organisation…" below): validation runs before the lookup, so an invalid body would prove nothing.
   */
  valid?: (f: Fixture) => object;
}

/** A production-access request that passes validation (test/harness/production.ts sends the same). */
const PRODUCTION_ACCESS = {
  scopeJustifications: { 'accounts:read': 'We show the customer a budget of their spending across banks.' },
  privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
  dataRetentionDays: 365,
  securityAttestation: {
    tokensEncryptedAtRest: true,
    leastPrivilege: true,
    noCustomerDataInLogs: true,
    breachNotification72h: true,
    deleteOnConsentRevocation: true,
  },
};

/** A field no DTO allows: every validated body is refused (400), so an allowed caller changes nothing. */
const INVALID = { matrixProbe: 'not a field of this request' };

interface Row {
  call: Call;
  expected: Cell[];
  /** Runs after every other row (it ends the caller's session). */
  last?: boolean;
}

const row = (cells: string, call: Call = {}): Row => {
  const expected = cells.trim().split(/\s+/);
  if (expected.length !== CALLERS.length || expected.some((c) => !CELLS.includes(c)))
    throw new Error(`matrix row ${JSON.stringify(cells)}: ${CALLERS.length} cells of ${CELLS.join(' ')}`);
  return { call, expected: expected as Cell[] };
};

// prettier-ignore
const ROUTES: Record<string, Row> = {
  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // Public: the same answer for everyone, with or without a credential.
  'GET /health/live':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'GET /health/ready':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'POST /v1/auth/signup':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'POST /v1/auth/verify-email':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'POST /v1/auth/login':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'POST /v1/auth/password-reset/request':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'POST /v1/auth/password-reset/confirm':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'GET /v1/scopes':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'GET /v1/security-attestation':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'GET /v1/ca.pem':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'GET /v1/ca.crl':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  // Outside production only (the module is not loaded in production).
  'GET /dev/customers':
    row('ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok'),
  'POST /dev/customer-token':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  // The development mailbox: this app sends by SMTP, so it keeps no mail and answers 404 to everyone.
  'GET /dev/mailbox':
    row('404 404 404 404 404 404 404 404 404 404 404 404 404'),
  'GET /dev/mailbox/{id}':
    row('404 404 404 404 404 404 404 404 404 404 404 404 404', { params: () => ({ id: 'matrix@gatehouse.local' }) }),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // Any signed-in developer or staff member; staff without MFA may reach these to enrol.
  'GET /v1/me':
    row('ok  ok  ok  ok  ok  ok  ok  ok  401 401 401 401 401'),
  // Starts an enrolment (a new pending secret); staff already enrolled are told so (409).
  'POST /v1/auth/mfa/totp/setup':
    row('ok  ok  ok  ok  409 409 409 ok  401 401 401 401 401'),
  'POST /v1/auth/mfa/totp/confirm':
    row('bad bad bad bad bad bad bad bad 401 401 401 401 401', { body: INVALID }),
  'POST /v1/auth/logout':
    { ...row('ok  ok  ok  ok  ok  ok  ok  ok  401 401 401 401 401'), last: true },

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // Staff administration: staff admin only.
  'GET /v1/admin/staff':
    row('403 403 403 403 403 403 ok  403 401 401 401 401 401'),
  'POST /v1/admin/staff':
    row('403 403 403 403 403 403 bad 403 401 401 401 401 401', { body: INVALID }),
  'POST /v1/admin/staff/{userId}/disable':
    row('403 403 403 403 403 403 ok  403 401 401 401 401 401', { params: (f) => ({ userId: f.disabledStaffId }) }),
  'GET /v1/admin/emails':
    row('403 403 403 403 403 403 ok  403 401 401 401 401 401', { query: 'status=dead' }),
  'POST /v1/admin/emails/{id}/retry':
    row('403 403 403 403 403 403 409 403 401 401 401 401 401', { params: (f) => ({ id: f.emailId }) }),
  // Audit: senior reviewers and admins.
  'GET /v1/audit':
    row('403 403 403 403 403 ok  ok  403 401 401 401 401 401', { query: 'subjectType=organisation' }),
  'GET /v1/audit/verify':
    row('403 403 403 403 403 ok  ok  403 401 401 401 401 401'),
  'GET /v1/audit/export':
    row('403 403 403 403 403 ok  ok  403 401 401 401 401 401'),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // Organisations: verified developers create; members read; owner and admin edit.
  'POST /v1/organisations':
    row('bad bad bad bad 403 403 403 403 401 401 401 401 401', { body: INVALID }),
  'GET /v1/organisations':
    row('ok  ok  ok  ok  403 403 403 403 401 401 401 401 401'),
  'GET /v1/organisations/{orgId}':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'PATCH /v1/organisations/{orgId}':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID }),
  'GET /v1/organisations/{orgId}/members':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'POST /v1/organisations/{orgId}/invitations':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID }),
  // Target: the only owner. Admins may not remove owners, members nobody else, and the last owner stays.
  'DELETE /v1/organisations/{orgId}/members/{userId}':
    row('409 403 403 404 403 403 403 403 401 401 401 401 401', { params: (f) => ({ userId: f.ownerId }) }),
  // The token decides whose invitation it is; an unknown one is 404 to any developer.
  'POST /v1/invitations/{token}/accept':
    row('404 404 404 404 403 403 403 403 401 401 401 401 401', { params: () => ({ token: 'x'.repeat(43) }) }),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // KYB: people, documents, verification. The organisation is approved, so deletions are refused (409).
  'POST /v1/organisations/{orgId}/people':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID }),
  'GET /v1/organisations/{orgId}/people':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'GET /v1/organisations/{orgId}/people/{personId}':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'PATCH /v1/organisations/{orgId}/people/{personId}':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: () => ({ firstName: 'Mallory' }) }),
  'DELETE /v1/organisations/{orgId}/people/{personId}':
    row('409 409 403 404 403 403 403 403 401 401 401 401 401'),
  // Multipart as the route expects, with a type no document has and no file.
  'POST /v1/organisations/{orgId}/documents':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { multipart: { type: 'not_a_document_type' } }),
  'GET /v1/organisations/{orgId}/documents':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'GET /v1/organisations/{orgId}/documents/{documentId}':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'DELETE /v1/organisations/{orgId}/documents/{documentId}':
    row('409 409 403 404 403 403 403 403 401 401 401 401 401'),
  // Staff with MFA read document content too (every read audited).
  'GET /v1/organisations/{orgId}/documents/{documentId}/content':
    row('ok  ok  ok  404 ok  ok  ok  403 401 401 401 401 401'),
  'GET /v1/organisations/{orgId}/verification':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'POST /v1/organisations/{orgId}/verification/submit':
    row('409 409 403 404 403 403 403 403 401 401 401 401 401'),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // The review queue: any staff role with MFA; suspensions need senior_reviewer.
  'GET /v1/review/reason-codes':
    row('403 403 403 403 ok  ok  ok  403 401 401 401 401 401'),
  'GET /v1/review/tasks':
    row('403 403 403 403 ok  ok  ok  403 401 401 401 401 401'),
  // The queue is empty, so an allowed claim answers 204 and claims nothing.
  'POST /v1/review/tasks/claim':
    row('403 403 403 403 ok  ok  ok  403 401 401 401 401 401'),
  'GET /v1/review/tasks/{id}':
    row('403 403 403 403 ok  ok  ok  403 401 401 401 401 401', { params: (f) => ({ id: f.taskId }) }),
  // The task is done: nobody holds it, so nobody can release it.
  'POST /v1/review/tasks/{id}/release':
    row('403 403 403 403 409 409 409 403 401 401 401 401 401', { params: (f) => ({ id: f.taskId }) }),
  'POST /v1/review/tasks/{id}/decision':
    row('403 403 403 403 bad bad bad 403 401 401 401 401 401', { params: (f) => ({ id: f.taskId }), body: INVALID }),
  'POST /v1/review/organisations/{orgId}/suspend':
    row('403 403 403 403 403 bad 403 403 401 401 401 401 401', { body: INVALID }),
  'POST /v1/review/organisations/{orgId}/reinstate':
    row('403 403 403 403 403 bad 403 403 401 401 401 401 401', { body: INVALID }),
  'POST /v1/review/apps/{appId}/suspend':
    row('403 403 403 403 403 bad 403 403 401 401 401 401 401', { body: INVALID }),
  'POST /v1/review/apps/{appId}/reinstate':
    row('403 403 403 403 403 bad 403 403 401 401 401 401 401', { body: INVALID }),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // Apps: members read; owner and admin write.
  'POST /v1/organisations/{orgId}/apps':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID }),
  'GET /v1/organisations/{orgId}/apps':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'GET /v1/organisations/{orgId}/apps/{appId}':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'PATCH /v1/organisations/{orgId}/apps/{appId}':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: () => ({ name: 'Hijacked' }) }),
  'PUT /v1/organisations/{orgId}/apps/{appId}/jwks':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: () => ({ keys: [] }) }),
  'POST /v1/organisations/{orgId}/apps/{appId}/production-access':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: () => PRODUCTION_ACCESS }),
  'GET /v1/organisations/{orgId}/apps/{appId}/production-access':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'POST /v1/organisations/{orgId}/apps/{appId}/credentials':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: () => ({ environment: 'sandbox' }) }),
  'GET /v1/organisations/{orgId}/apps/{appId}/credentials':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  // Already revoked: revoking again changes nothing.
  'DELETE /v1/organisations/{orgId}/apps/{appId}/credentials/{credentialId}':
    row('ok  ok  403 404 403 403 403 403 401 401 401 401 401', { params: (f) => ({ appId: f.spentAppId }) }),
  'POST /v1/organisations/{orgId}/apps/{appId}/certificates':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID, valid: (f) => ({ csr: f.csr }) }),
  'GET /v1/organisations/{orgId}/apps/{appId}/certificates':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'POST /v1/organisations/{orgId}/apps/{appId}/certificates/{certificateId}/revoke':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { params: (f) => ({ appId: f.spentAppId }),
                                                                 body: INVALID, valid: () => ({}) }),
  'GET /v1/organisations/{orgId}/apps/{appId}/webhook':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  'PUT /v1/organisations/{orgId}/apps/{appId}/webhook':
    row('bad bad 403 404 403 403 403 403 401 401 401 401 401', { body: INVALID,
                                                                 valid: () => ({ url: 'https://hooks.example/x' }) }),
  // The spent app has no webhook: removing it again changes no column (an audit entry is written).
  'DELETE /v1/organisations/{orgId}/apps/{appId}/webhook':
    row('ok  ok  403 404 403 403 403 403 401 401 401 401 401', { params: (f) => ({ appId: f.spentAppId }) }),
  'GET /v1/organisations/{orgId}/apps/{appId}/webhook/deliveries':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),
  // The developer's view of the app's consents: counts and ids, no customer data.
  'GET /v1/organisations/{orgId}/apps/{appId}/consents':
    row('ok  ok  ok  404 403 403 403 403 401 401 401 401 401'),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // The customer API: customer JWTs only; another customer's consent is 404.
  'GET /v1/customer/me':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  // The console's customer browser session: starting one is public (the JWT in the body is the credential).
  'POST /v1/customer/session':
    row('bad bad bad bad bad bad bad bad bad bad bad bad bad', { body: INVALID }),
  'GET /v1/customer/session':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  // With a bearer token there is no cookie to clear: 204 and nothing changes.
  'DELETE /v1/customer/session':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  'GET /v1/customer/apps':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  'GET /v1/customer/consents':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  'GET /v1/customer/consents/{consentId}':
    row('401 401 401 401 401 401 401 401 ok  404 401 401 401'),
  // A body that passes validation but widens (a scope not granted): 422 for the owner, nothing saved;
  // an invalid body would be refused by validation before the consent is looked up, for anyone.
  'PATCH /v1/customer/consents/{consentId}':
    row('401 401 401 401 401 401 401 401 bad 404 401 401 401', { body: { scopes: ['payees:read'] } }),
  // Already revoked ("again is harmless").
  'DELETE /v1/customer/consents/{consentId}':
    row('401 401 401 401 401 401 401 401 ok  404 401 401 401', { params: (f) => ({ consentId: f.revokedConsentId }) }),
  // The customer's consents to the spent app, all already revoked: nothing to revoke. The other
  // customer never connected that app: 404.
  'DELETE /v1/customer/apps/{appId}/consents':
    row('401 401 401 401 401 401 401 401 ok  404 401 401 401', { params: (f) => ({ appId: f.spentAppId }) }),
  'GET /v1/customer/consents/{consentId}/access-log':
    row('401 401 401 401 401 401 401 401 ok  404 401 401 401'),
  // The consent screen's API. The uid is an unguessable capability from the browser's redirect, not
  // yet bound to a customer: any customer may read what is asked (with their own accounts to pick).
  'GET /v1/oauth/interactions/{uid}':
    row('401 401 401 401 401 401 401 401 ok  ok  401 401 401'),
  'POST /v1/oauth/interactions/{uid}/decision':
    row('401 401 401 401 401 401 401 401 bad bad 401 401 401', { body: INVALID }),

  //      own adm mem oth rev sen sad nom cus ocu app gw  none
  // The gateway's decision point (mounted before Nest's router): the gateway key only.
  'POST /v1/consent-decisions':
    row('401 401 401 401 401 401 401 401 401 401 401 bad 401', { body: INVALID }),
  // The sandbox data API: the app's access token only, within its consent.
  'GET /sandbox/v1/accounts':
    row('401 401 401 401 401 401 401 401 401 401 ok  401 401'),
  'GET /sandbox/v1/accounts/{accountId}/balances':
    row('401 401 401 401 401 401 401 401 401 401 ok  401 401'),
  'GET /sandbox/v1/accounts/{accountId}/transactions':
    row('401 401 401 401 401 401 401 401 401 401 ok  401 401'),
};

/** The OAuth callers: no credential, the bearer credentials of the main table, and the app's client secret. */
const OAUTH_CALLERS = ['none', 'session', 'customer', 'appToken', 'gateway', 'appClient'] as const;
type OAuthCaller = (typeof OAUTH_CALLERS)[number];

interface OAuthRow {
  method: 'get' | 'post';
  /** Form fields of a POST: requests that cannot succeed (a made-up token or code), so nothing changes. */
  form?: Record<string, string>;
  query?: string;
  expected: string[];
}

const oauthRow = (method: 'get' | 'post', cells: string, extra: Partial<OAuthRow> = {}): OAuthRow => {
  const expected = cells.trim().split(/\s+/);
  if (expected.length !== OAUTH_CALLERS.length) throw new Error(`oauth row ${cells}: ${OAUTH_CALLERS.length} cells`);
  return { method, expected, ...extra };
};

/**
 * What oidc-provider answered: `ok` (2xx), `no-client` (refused for want of client authentication:
 * `invalid_client`, or `invalid_request` saying no client authentication or a malformed
 * Authorization header came), else the OAuth `error` code (after client authentication, the
 * request itself was judged).
 */
function oauthOutcome(res: { status: number; body: { error?: string; error_description?: string } }): string {
  if (res.status >= 200 && res.status < 300) return 'ok';
  const { error, error_description: description = '' } = res.body ?? {};
  if (error === 'invalid_client') return 'no-client';
  if (error === 'invalid_request' && /client authentication|authorization header/i.test(description))
    return 'no-client';
  return error ?? String(res.status);
}

/** RFC 6749 §2.3.1: client id and secret, each form-urlencoded, as HTTP Basic credentials. */
const basic = (id: string, secret: string) =>
  Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

/**
 * oidc-provider's endpoints, by their name in the discovery document (plus the two metadata
 * documents). Only client authentication opens the client endpoints: a bearer token of any kind
 * is not a client credential. The requests after client authentication cannot succeed (a made-up
 * code or token, a response type FAPI forbids), so they change nothing.
 */
// prettier-ignore
const OAUTH_ENDPOINTS: Record<string, OAuthRow> = {
  //                   none            session         customer        appToken        gateway         appClient
  discovery:
    oauthRow('get',   'ok              ok              ok              ok              ok              ok'),
  'rfc8414 metadata':
    oauthRow('get',   'ok              ok              ok              ok              ok              ok'),
  jwks_uri:
    oauthRow('get',   'ok              ok              ok              ok              ok              ok'),
  // Without a pushed request_uri nothing can start (PAR is required), whoever asks.
  authorization_endpoint:
    oauthRow('get',   'invalid_request invalid_request invalid_request invalid_request invalid_request invalid_request',
             { query: 'response_type=code' }),
  // The app's request names a redirect URI it never registered.
  pushed_authorization_request_endpoint:
    oauthRow('post',  'no-client       no-client       no-client       no-client       no-client       invalid_request',
             { form: { response_type: 'code', redirect_uri: 'https://elsewhere.example/cb' } }),
  token_endpoint:
    oauthRow('post',  'no-client       no-client       no-client       no-client       no-client       invalid_grant',
             { form: { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT_URI } }),
  introspection_endpoint:
    oauthRow('post',  'no-client       no-client       no-client       no-client       no-client       ok',
             { form: { token: 'made-up' } }),
  revocation_endpoint:
    oauthRow('post',  'no-client       no-client       no-client       no-client       no-client       ok',
             { form: { token: 'made-up' } }),
};

describe('authorisation matrix', () => {
  let t: TestApp;
  let f: Fixture;
  let app: SandboxApp;
  let discovery: Record<string, unknown>;
  /** The `otherOrg` developer and the organisation they own. */
  let otherOrgDev: Actor;
  let otherOrgId: string;
  const gatewayKey = randomBytes(32).toString('base64url');
  const tokens = {} as Record<Caller, string | undefined>;

  beforeAll(async () => {
    t = await startTestApp({
      publicUrlIsBaseUrl: true,
      env: { GATEWAY_API_KEY: gatewayKey, SANDBOX_SEED: 'authorisation-matrix', SANDBOX_CUSTOMERS: '2' },
    });
    const reviewer = await staff(t, 'reviewer');
    const senior = await staff(t, 'senior_reviewer');
    const staffAdmin = await staff(t, 'admin');
    const noMfa = await staff(t, 'reviewer', false);

    // The organisation: approved through the real KYB path, with an admin and a member invited.
    const ownerDev = await developer(t, 'matrix-owner');
    const orgId = await createOrganisation(t, ownerDev, { legalName: 'Matrix Holdings Ltd' });
    await approvedOrganisation(t, ownerDev, orgId, reviewer);
    const [adminDev, memberDev] = [await developer(t, 'matrix-admin'), await developer(t, 'matrix-member')];
    for (const [dev, role] of [
      [adminDev, 'admin'],
      [memberDev, 'member'],
    ] as const) {
      await t
        .http()
        .post(`/v1/organisations/${orgId}/invitations`)
        .set(bearer(ownerDev.token))
        .send({ email: dev.email, role })
        .expect(201);
      const mail = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /invited you/.test(m.subject));
      await t
        .http()
        .post(`/v1/invitations/${tokenFromLink(mail.text, '/invitations/accept')}/accept`)
        .set(bearer(dev.token))
        .expect(200);
    }
    const otherOrg = await owner(t, 'matrix-other');

    const get = async (path: string) =>
      (await t.http().get(path).set(bearer(ownerDev.token)).expect(200)).body as { data: { id: string }[] };
    const personId = (await get(`/v1/organisations/${orgId}/people`)).data[0]!.id;
    const documentId = (await get(`/v1/organisations/${orgId}/documents`)).data[0]!.id;
    const [task] = (await t.dataSource.query(`SELECT id FROM review_tasks WHERE organisation_id = $1`, [orgId])) as {
      id: string;
    }[];
    // The relay marks a row sent after SMTP took it, a moment after the catcher saw the message.
    const email = await eventually(
      async () =>
        (
          (await t.dataSource.query(`SELECT id FROM outbox_messages WHERE status = 'sent' LIMIT 1`)) as { id: string }[]
        )[0],
      15_000,
      'a sent email',
    );

    const disabled = await staff(t, 'reviewer', false);
    await t.app.get(StaffService).disable(disabled.id, { type: 'system', id: 'test' });

    // The app, and the customer's consent through the real authorisation server.
    const ownerWithOrg: Actor & { orgId: string } = { ...ownerDev, orgId };
    const scopes = ['accounts:read', 'balances:read', 'transactions:read'];
    app = await sandboxApp(t, ownerDev, orgId, { scopes });
    const customer: SignedInCustomer = await sandboxCustomer(t, 0);
    const otherCustomer = await sandboxCustomer(t, 1);
    const config = await thirdPartyApp(t, app);
    const started = await startAuthorization(config, [{ type: 'account_access', scopes }]);
    const callback = await approve(t, started, customer);
    const granted = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (granted.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    const pending = await startAuthorization(config, [{ type: 'account_access', scopes }]);

    // The spent app: a rotated then revoked credential, a revoked certificate, a revoked consent.
    const spent = await sandboxApp(t, ownerDev, orgId, { name: 'Spent', scopes });
    const rotated = await t
      .http()
      .post(`/v1/organisations/${orgId}/apps/${spent.id}/credentials`)
      .set(bearer(ownerDev.token))
      .send({ environment: 'sandbox' })
      .expect(201);
    const credentialId = rotated.body.id as string;
    await t
      .http()
      .delete(`/v1/organisations/${orgId}/apps/${spent.id}/credentials/${credentialId}`)
      .set(bearer(ownerDev.token))
      .expect(204);
    const certificate = await issueCertificate(t, ownerWithOrg, spent.id);
    await t
      .http()
      .post(`/v1/organisations/${orgId}/apps/${spent.id}/certificates/${certificate.id}/revoke`)
      .set(bearer(ownerDev.token))
      .send({})
      .expect(200);
    const revoked = await grantConsent(t, spent, customer);
    await t.http().delete(`/v1/customer/consents/${revoked.id}`).set(bearer(customer.token)).expect(204);

    f = {
      orgId,
      appId: app.id,
      spentAppId: spent.id,
      personId,
      documentId,
      ownerId: ownerDev.id,
      taskId: task!.id,
      emailId: email.id,
      disabledStaffId: disabled.id,
      credentialId,
      certificateId: certificate.id,
      consentId,
      revokedConsentId: revoked.id,
      interactionUid: pending.uid,
      accountId: customer.accounts[0]!,
      otherAccountId: otherCustomer.accounts[0]!,
      csr: newKeyAndCsr().csr,
    };
    otherOrgId = otherOrg.orgId;
    otherOrgDev = otherOrg;
    Object.assign(tokens, {
      owner: ownerDev.token,
      admin: adminDev.token,
      member: memberDev.token,
      otherOrg: otherOrg.token,
      reviewer: reviewer.token,
      senior: senior.token,
      staffAdmin: staffAdmin.token,
      noMfa: noMfa.token,
      customer: customer.token,
      otherCust: otherCustomer.token,
      appToken: granted.access_token,
      gateway: gatewayKey,
      none: undefined,
    } satisfies Record<Caller, string | undefined>);
    discovery = (await t.http().get('/oauth/.well-known/openid-configuration').expect(200)).body;
  });
  afterAll(() => t?.close());

  /** The document's routes as `METHOD /path/{param}`. */
  async function documentedRoutes(): Promise<string[]> {
    const doc = await t.http().get('/docs-json').expect(200);
    return Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
  }

  /** The row's path with the fixture's ids (or the row's own, or `override`'s) and query. */
  function urlOf(route: string, template: string, call: Call, fixture: Fixture, override: Record<string, string> = {}) {
    const ids: Record<string, string> = {
      orgId: fixture.orgId,
      appId: fixture.appId,
      personId: fixture.personId,
      documentId: fixture.documentId,
      credentialId: fixture.credentialId,
      certificateId: fixture.certificateId,
      consentId: fixture.consentId,
      uid: fixture.interactionUid,
      accountId: fixture.accountId,
      ...call.params?.(fixture),
      ...override,
    };
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!(name in ids)) throw new Error(`${route}: no fixture id for {${name}}`);
      return ids[name]!;
    });
    return call.query ? `${path}?${call.query}` : path;
  }

  it('has a row for every route of the OpenAPI document, and none for a route it no longer lists', async () => {
    const documented = await documentedRoutes();
    expect({
      missing: documented.filter((r) => !(r in ROUTES)),
      stale: Object.keys(ROUTES).filter((r) => !documented.includes(r)),
    }).toEqual({ missing: [], stale: [] });
  });

  it('answers every route for every kind of caller as the table says', async () => {
    const documented = new Set(await documentedRoutes());
    const entries = Object.entries(ROUTES).filter(([route]) => documented.has(route));
    const ordered = [...entries.filter(([, r]) => !r.last), ...entries.filter(([, r]) => r.last)];
    const wrong: string[] = [];
    const notProblem: string[] = [];
    for (const [route, { call, expected }] of ordered) {
      const [method, template] = route.split(' ') as [string, string];
      const url = urlOf(route, template, call, f);
      // The callers of one route in parallel: the rows are independent of one another's callers.
      const statuses = await Promise.all(
        CALLERS.map(async (caller) => {
          let req = t.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url);
          if (tokens[caller]) req = req.set(bearer(tokens[caller]));
          if (call.multipart) for (const [k, v] of Object.entries(call.multipart)) req = req.field(k, v);
          const res = call.body ? await req.send(call.body) : await req;
          if (res.status >= 400 && !/^application\/problem\+json/.test(res.headers['content-type'] ?? ''))
            notProblem.push(`${route} as ${caller}: ${res.status} ${res.headers['content-type']}`);
          return res.status;
        }),
      );
      statuses.forEach((status, i) => {
        if (classify(status) !== expected[i])
          wrong.push(`${route} as ${CALLERS[i]}: expected ${expected[i]}, got ${status}`);
      });
    }
    expect({ wrong, notProblem }).toEqual({ wrong: [], notProblem: [] });
  });

  it("hides an organisation's resources from a developer who names their own organisation with its ids", async () => {
    // Past the guard (they are the owner of the organisation in the path), only the services' scoping
    // by organisation stands between them and the resource: every nested id must be 404.
    const nested = Object.entries(ROUTES).filter(
      ([route]) => route.includes('/organisations/{orgId}/') && /\{(?!orgId\})\w+\}/.test(route),
    );
    expect(nested.length).toBeGreaterThan(20);
    // A session of their own: the matrix's logout row may have ended the shared one.
    const session = await login(t, otherOrgDev.email);
    const wrong: string[] = [];
    for (const [route, { call }] of nested) {
      const [method, template] = route.split(' ') as [string, string];
      if (call.body && !call.valid) throw new Error(`${route}: give the row a valid body for this probe`);
      let req = t
        .http()
        [method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](
          urlOf(route, template, call, f, { orgId: otherOrgId }),
        );
      req = req.set(bearer(session));
      if (call.multipart) for (const [k, v] of Object.entries(call.multipart)) req = req.field(k, v);
      const res = call.valid ? await req.send(call.valid(f)) : await req;
      if (res.status !== 404) wrong.push(`${route}: ${res.status}`);
    }
    // The data API likewise: the app's token naming an account its consent does not grant.
    for (const path of ['balances', 'transactions']) {
      const res = await t.http().get(`/sandbox/v1/accounts/${f.otherAccountId}/${path}`).set(bearer(tokens.appToken!));
      if (res.status !== 404) wrong.push(`GET /sandbox/v1/accounts/{other customer's account}/${path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists every endpoint of the authorisation server, which only client authentication opens', async () => {
    const named = Object.keys(discovery).filter(
      (k) => (k.endsWith('_endpoint') || k === 'jwks_uri') && typeof discovery[k] === 'string',
    );
    const fixed = ['discovery', 'rfc8414 metadata'];
    expect({
      missing: named.filter((k) => !(k in OAUTH_ENDPOINTS)),
      stale: Object.keys(OAUTH_ENDPOINTS).filter((k) => !named.includes(k) && !fixed.includes(k)),
    }).toEqual({ missing: [], stale: [] });

    const credentials: Record<OAuthCaller, Record<string, string>> = {
      none: {},
      session: bearer(tokens.owner!),
      customer: bearer(tokens.customer!),
      appToken: bearer(tokens.appToken!),
      gateway: bearer(gatewayKey),
      appClient: {
        Authorization: `Basic ${basic(app.clientId, app.clientSecret)}`,
      },
    };
    const wrong: string[] = [];
    for (const [name, { method, form, query, expected }] of Object.entries(OAUTH_ENDPOINTS)) {
      const url =
        name === 'discovery'
          ? '/oauth/.well-known/openid-configuration'
          : name === 'rfc8414 metadata'
            ? '/.well-known/oauth-authorization-server/oauth'
            : new URL(discovery[name] as string).pathname;
      const target = query ? `${url}?${query}&client_id=${encodeURIComponent(app.clientId)}` : url;
      for (const [i, caller] of OAUTH_CALLERS.entries()) {
        let req = t.http()[method](target).set(credentials[caller]);
        if (form) req = req.type('form').send({ client_id: app.clientId, ...form });
        const res = await req;
        const outcome = oauthOutcome(res);
        if (outcome !== expected[i])
          wrong.push(`${name} ${method.toUpperCase()} ${url} as ${caller}: expected ${expected[i]}, got ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
