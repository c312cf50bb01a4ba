import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { ActorType } from '../audit/audit-chain';
import { WebhooksService } from '../apps/webhooks/webhooks.service';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { CURSOR_KINDS, Cursor, Page, cursorAtSql, decodeCursor, toPage } from '../common/pagination/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OutboxService } from '../notifications/outbox.service';
import {
  ConsentConstraints,
  ConsentEnvironment,
  ConsentStatus,
  ConsentTerms,
  DAY_MS,
  RevokedBy,
  merchantKey,
} from './consent';
import { NarrowingRequest, narrowTerms } from './consent-narrowing';
import { ConsentReceipt, buildReceipt } from './consent-receipt';
import { endingEvent, nextConsentStatus } from './consent.transitions';
import { CONSENT_GRANT_REVOKER, ConsentGrantRevoker } from './ports';

/** A consent as its customer sees it. Timestamps ISO 8601 UTC. */
export interface ConsentView {
  id: string;
  appId: string;
  app: { name: string; organisationName: string };
  environment: ConsentEnvironment;
  status: ConsentStatus;
  scopes: string[];
  constraints: ConsentConstraints;
  purpose: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: RevokedBy | null;
  revocationReason: string | null;
  version: number;
}

/** An account a consent names, as the bank describes it to its customer. */
export interface ConsentAccount {
  id: string;
  name: string;
  type: string;
  currency: string;
  /** `****` and the account number's last four digits. */
  maskedNumber: string;
}

/** A consent with its receipts, newest first; `receipt` is the one in force. */
export interface ConsentDetailView extends ConsentView {
  receipt: ConsentReceipt;
  receipts: ConsentReceipt[];
}

/** An app a customer has consented to, with what its active consents allow together. */
export interface ConnectedAppView {
  appId: string;
  name: string;
  organisationName: string;
  scopes: string[];
  lastUsedAt: string | null;
  consentsCount: number;
  activeConsentsCount: number;
}

/** A consent as the app's developer sees it: no customer personal data. */
export interface AppConsentView {
  id: string;
  environment: ConsentEnvironment;
  status: ConsentStatus;
  scopes: string[];
  constraints: ConsentConstraints;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: RevokedBy | null;
  version: number;
}

/** What an approved authorization request grants (the OAuth consent screen calls `grant` with it). */
export interface GrantRequest {
  appId: string;
  /** Gatehouse's customer id (`customers.id`), not the token's `sub`. */
  customerId: string;
  environment: ConsentEnvironment;
  scopes: string[];
  constraints: ConsentConstraints;
  /** Default, and at most: CONSENT_MAX_DAYS from now. */
  expiresAt?: string;
  /** The app's justification shown to the customer; default: the app's description. */
  purpose?: string;
}

/** Why a consent ends, and who ended it, as the audit log records it. */
export interface EndingCause {
  by: RevokedBy;
  reason: string;
  actor: { type: ActorType; id: string | null };
  requestId?: string;
}

interface ConsentRow {
  id: string;
  app_id: string;
  customer_id: string;
  environment: ConsentEnvironment;
  status: ConsentStatus;
  scopes: string[];
  account_ids: string[];
  transaction_from: string | null;
  transaction_to: string | null;
  merchants: string[] | null;
  categories: string[] | null;
  purpose: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: RevokedBy | null;
  revocation_reason: string | null;
  version: number;
  app_name: string;
  organisation_name: string;
  customer_email: string | null;
  cursor_at?: string;
}

interface ReceiptRow {
  version: number;
  wording_version: string;
  wording: string;
  data_list: ConsentReceipt['dataList'];
  decision: ConsentReceipt['decision'];
  decided_at: Date;
  scopes: string[];
  constraints: ConsentConstraints;
  expires_at: Date;
  sha256: string;
}

// Dates come back from PostgreSQL as text (`date` columns are not parsed by pg into Date here).
const SELECT_CONSENT = `
  SELECT c.id, c.app_id, c.customer_id, c.environment, c.status, c.scopes, c.account_ids,
         to_char(c.transaction_from, 'YYYY-MM-DD') AS transaction_from,
         to_char(c.transaction_to, 'YYYY-MM-DD') AS transaction_to,
         c.merchants, c.categories, c.purpose, c.created_at, c.expires_at, c.last_used_at, c.revoked_at,
         c.revoked_by, c.revocation_reason, c.version,
         a.name AS app_name, o.legal_name AS organisation_name, cu.email AS customer_email
    FROM consents c
    JOIN apps a ON a.id = c.app_id
    JOIN organisations o ON o.id = a.organisation_id
    JOIN customers cu ON cu.id = c.customer_id`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function termsOf(row: ConsentRow): ConsentTerms {
  return {
    scopes: row.scopes,
    accountIds: row.account_ids,
    transactionWindow:
      row.transaction_from && row.transaction_to ? { from: row.transaction_from, to: row.transaction_to } : null,
    merchants: row.merchants,
    categories: row.categories,
    expiresAt: row.expires_at.toISOString(),
  };
}

function constraintsOf(row: ConsentRow): ConsentConstraints {
  const { accountIds, transactionWindow, merchants, categories } = termsOf(row);
  return { accountIds, transactionWindow, merchants, categories };
}

function viewOf(row: ConsentRow): ConsentView {
  return {
    id: row.id,
    appId: row.app_id,
    app: { name: row.app_name, organisationName: row.organisation_name },
    environment: row.environment,
    status: row.status,
    scopes: row.scopes,
    constraints: constraintsOf(row),
    purpose: row.purpose,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
    revokedBy: row.revoked_by,
    revocationReason: row.revocation_reason,
    version: row.version,
  };
}

function receiptOf(r: ReceiptRow): ConsentReceipt {
  return {
    version: r.version,
    wordingVersion: r.wording_version,
    wording: r.wording,
    dataList: r.data_list,
    decision: r.decision,
    decidedAt: r.decided_at.toISOString(),
    scopes: r.scopes,
    constraints: r.constraints,
    expiresAt: r.expires_at.toISOString(),
    sha256: r.sha256,
  };
}

/**
 * Customer consents (SPEC "Customer consents"): granting one from an approved request, the
 * customer's reads, narrowing, and the one path by which every consent ends (`end`). Each change,
 * in its transaction: the audit entry, the app's webhook, the customer's email where the spec
 * asks for one, and a change-feed entry (`gatehouse_consent_change`, migration CreateConsents)
 * that the decision point's replicas follow. Status moves only through `consent.transitions.ts`.
 */
@Injectable()
export class ConsentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly webhooks: WebhooksService,
    @Optional() @Inject(CONSENT_GRANT_REVOKER) private readonly grants?: ConsentGrantRevoker,
  ) {}

  /**
   * Creates an active consent and its first receipt from a request the customer approved, in the
   * caller's transaction when `m` is given (the consent screen approves and finishes the OAuth
   * interaction in one). Refuses (400 naming the field) scopes the app may not ask for in that
   * environment, accounts that are not the customer's (sandbox), and an expiry in the past or
   * beyond CONSENT_MAX_DAYS. 404 for an unknown app or customer.
   */
  async grant(request: GrantRequest, m?: EntityManager, now = new Date()): Promise<ConsentDetailView> {
    if (!m) return this.dataSource.transaction((tx) => this.grant(request, tx, now));
    const apps = (await m.query(
      `SELECT a.id, a.name, a.description, a.scopes, a.granted_scopes, a.production_status, o.legal_name
         FROM apps a JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1`,
      [request.appId],
    )) as {
      name: string;
      description: string;
      scopes: string[];
      granted_scopes: string[] | null;
      production_status: string;
      legal_name: string;
    }[];
    const app = apps[0];
    if (!app) throw new NotFoundError('App');
    const customers = (await m.query(`SELECT sub, email FROM customers WHERE id = $1`, [request.customerId])) as {
      sub: string;
      email: string | null;
    }[];
    const customer = customers[0];
    if (!customer) throw new NotFoundError('Customer');

    const allowedScopes =
      request.environment === 'production'
        ? app.production_status === 'approved'
          ? (app.granted_scopes ?? [])
          : []
        : app.scopes;
    const unknownScope = request.scopes.find((s) => !allowedScopes.includes(s));
    if (request.scopes.length === 0 || unknownScope !== undefined) {
      throw new ValidationFailedError([
        {
          field: 'scopes',
          message:
            unknownScope === undefined
              ? 'at least one scope is needed'
              : `the app may not ask for ${unknownScope} in ${request.environment}`,
        },
      ]);
    }
    const accountIds = [...new Set(request.constraints.accountIds)];
    if (accountIds.length === 0)
      throw new ValidationFailedError([{ field: 'accountIds', message: 'pick at least one account' }]);
    if (request.environment === 'sandbox') {
      const owned = (await m.query(
        `SELECT id::text FROM sandbox_accounts WHERE customer_id::text = $1 AND id::text = ANY($2::text[])`,
        [customer.sub, accountIds],
      )) as { id: string }[];
      const foreign = accountIds.find((a) => !owned.some((o) => o.id === a));
      if (foreign !== undefined) {
        throw new ValidationFailedError([
          { field: 'accountIds', message: `account ${foreign} is not one of the customer's accounts` },
        ]);
      }
    }
    const latest = now.getTime() + this.config.consents.maxDays * DAY_MS;
    const expiresAtMs = request.expiresAt ? Date.parse(request.expiresAt) : latest;
    if (!(expiresAtMs > now.getTime()) || expiresAtMs > latest) {
      throw new ValidationFailedError([
        { field: 'expiresAt', message: `must be in the future and at most ${this.config.consents.maxDays} days ahead` },
      ]);
    }
    const w = request.constraints.transactionWindow;
    if (w && w.from > w.to) {
      throw new ValidationFailedError([{ field: 'transactionWindow', message: 'from must not be after to' }]);
    }
    const terms: ConsentTerms = {
      scopes: [...new Set(request.scopes)],
      accountIds,
      transactionWindow: w ? { from: w.from, to: w.to } : null,
      merchants: request.constraints.merchants ? [...new Set(request.constraints.merchants.map(merchantKey))] : null,
      categories: request.constraints.categories ? [...new Set(request.constraints.categories)] : null,
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    const purpose = request.purpose ?? app.description;

    const [{ id }] = (await m.query(
      `INSERT INTO consents (app_id, customer_id, environment, scopes, account_ids, transaction_from, transaction_to,
                             merchants, categories, purpose, created_at, updated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id`,
      [
        request.appId,
        request.customerId,
        request.environment,
        terms.scopes,
        terms.accountIds,
        terms.transactionWindow?.from ?? null,
        terms.transactionWindow?.to ?? null,
        terms.merchants,
        terms.categories,
        purpose,
        now,
        terms.expiresAt,
      ],
    )) as [{ id: string }];
    const receipt = buildReceipt(
      1,
      'approved',
      now,
      { name: app.name, organisationName: app.legal_name, purpose },
      terms,
    );
    await this.insertReceipt(m, id, receipt);
    await this.audit.append(m, {
      actor: { type: 'customer', id: request.customerId },
      action: 'consent.granted',
      subject: { type: 'consent', id },
      after: { appId: request.appId, environment: request.environment, ...terms, receiptSha256: receipt.sha256 },
    });
    if (customer.email) {
      await this.outbox.enqueue(m, customer.email, 'consent-granted', {
        appName: app.name,
        organisationName: app.legal_name,
        consentId: id,
        wording: receipt.wording,
        dataList: receipt.dataList.map(({ title, description }) => ({ title, description })),
        expiresAt: terms.expiresAt,
        receiptSha256: receipt.sha256,
      });
    }
    await this.recordChange(m, id);
    return this.detail(m, id);
  }

  /** The customer's consents, newest first, optionally of one status; cursor pages. */
  async listForCustomer(
    customerId: string,
    query: { status?: ConsentStatus; limit: number; cursor?: string },
  ): Promise<Page<ConsentView>> {
    const after = decodeCursor(query.cursor, CURSOR_KINDS.customerConsents) as Cursor | undefined;
    const params: unknown[] = [customerId, query.limit + 1];
    let where = 'c.customer_id = $1';
    if (query.status) {
      params.push(query.status);
      where += ` AND c.status = $${params.length}`;
    }
    if (after) {
      params.push(after.at, after.id);
      where += ` AND (c.created_at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    const rows = (await this.dataSource.query(
      `${SELECT_CONSENT.replace('SELECT c.id,', `SELECT ${cursorAtSql('c.created_at')} AS cursor_at, c.id,`)}
        WHERE ${where} ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      params,
    )) as ConsentRow[];
    const page = toPage(rows, query.limit, CURSOR_KINDS.customerConsents, (r) => ({ at: r.cursor_at!, id: r.id }));
    return { data: page.data.map(viewOf), nextCursor: page.nextCursor };
  }

  /**
   * One of the customer's consents with its receipts and the bank's description of its accounts
   * (name, type, currency, last four digits; an account the bank does not describe is left out, the
   * console then shows its id); 404 when it is not theirs.
   */
  async getForCustomer(
    customerId: string,
    consentId: string,
  ): Promise<ConsentDetailView & { accounts: ConsentAccount[] }> {
    await this.ownedRow(this.dataSource.manager, customerId, consentId);
    const detail = await this.detail(this.dataSource.manager, consentId);
    const accounts = (await this.dataSource.query(
      `SELECT sa.id::text, sa.name, sa.type, sa.currency, sa.account_number
         FROM sandbox_accounts sa JOIN customers cu ON sa.customer_id::text = cu.sub
        WHERE cu.id = $1 AND sa.id::text = ANY($2::text[])
        ORDER BY sa.id`,
      [customerId, detail.constraints.accountIds],
    )) as { id: string; name: string; type: string; currency: string; account_number: string }[];
    return {
      ...detail,
      accounts: accounts.map((a) => ({
        id: a.id,
        name: a.name,
        type: a.type,
        currency: a.currency,
        maskedNumber: `****${a.account_number.slice(-4)}`,
      })),
    };
  }

  /** The apps the customer has consented to (any status), by app id; cursor pages. */
  async connectedApps(customerId: string, query: { limit: number; cursor?: string }): Promise<Page<ConnectedAppView>> {
    const after = decodeCursor(query.cursor, CURSOR_KINDS.customerApps);
    const rows = (await this.dataSource.query(
      `SELECT a.id AS app_id, a.name, o.legal_name,
              COALESCE(array_agg(DISTINCT s.scope) FILTER (WHERE c.status = 'active' AND s.scope IS NOT NULL), '{}') AS scopes,
              max(c.last_used_at) AS last_used_at,
              count(DISTINCT c.id)::int AS consents,
              count(DISTINCT c.id) FILTER (WHERE c.status = 'active')::int AS active
         FROM consents c
         JOIN apps a ON a.id = c.app_id
         JOIN organisations o ON o.id = a.organisation_id
         LEFT JOIN LATERAL unnest(c.scopes) AS s(scope) ON true
        WHERE c.customer_id = $1 AND ($3::uuid IS NULL OR a.id > $3::uuid)
        GROUP BY a.id, a.name, o.legal_name
        ORDER BY a.id
        LIMIT $2`,
      [customerId, query.limit + 1, after?.id ?? null],
    )) as {
      app_id: string;
      name: string;
      legal_name: string;
      scopes: string[];
      last_used_at: Date | null;
      consents: number;
      active: number;
    }[];
    const page = toPage(rows, query.limit, CURSOR_KINDS.customerApps, (r) => ({ id: r.app_id }));
    return {
      data: page.data.map((r) => ({
        appId: r.app_id,
        name: r.name,
        organisationName: r.legal_name,
        scopes: r.scopes,
        lastUsedAt: iso(r.last_used_at),
        consentsCount: r.consents,
        activeConsentsCount: r.active,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Narrows one of the customer's consents (narrow-only: see consent-narrowing.ts). A widening
   * field is 422 `widens_consent` naming it; an ended consent is 409, and so is one past its
   * `expiresAt` that the expiry job has not ended yet; another customer's is 404.
   * A real change bumps the version, writes a receipt of the new terms, audits, and sends the app
   * `consent.narrowed`; a PATCH that changes nothing returns the consent as it is.
   */
  async narrow(customerId: string, consentId: string, patch: NarrowingRequest, requestId?: string, now = new Date()) {
    return this.dataSource.transaction(async (m) => {
      const row = await this.ownedRow(m, customerId, consentId, true);
      // Past its expiresAt a consent allows nothing (decide() says `expired`) even before the expiry
      // job writes the status: narrowing it would issue a receipt and a webhook for a dead consent.
      const effective = row.status === 'active' && row.expires_at.getTime() <= now.getTime() ? 'expired' : row.status;
      nextConsentStatus(effective, 'narrow', 'customer');
      const result = narrowTerms(termsOf(row), patch, now.getTime());
      if (!result.ok) {
        throw new DomainError('widens_consent', `A consent can only be narrowed: ${result.message}`, {
          errors: [{ field: result.field, message: result.message }],
        });
      }
      if (result.changed.length === 0) return this.detail(m, consentId);
      const t = result.terms;
      const version = row.version + 1;
      await m.query(
        `UPDATE consents SET scopes = $2, account_ids = $3, transaction_from = $4, transaction_to = $5, merchants = $6,
                categories = $7, expires_at = $8, version = $9, updated_at = $10
          WHERE id = $1`,
        [
          consentId,
          t.scopes,
          t.accountIds,
          t.transactionWindow?.from ?? null,
          t.transactionWindow?.to ?? null,
          t.merchants,
          t.categories,
          t.expiresAt,
          version,
          now,
        ],
      );
      const receipt = buildReceipt(
        version,
        'narrowed',
        now,
        { name: row.app_name, organisationName: row.organisation_name, purpose: row.purpose },
        t,
      );
      await this.insertReceipt(m, consentId, receipt);
      await this.audit.append(m, {
        actor: { type: 'customer', id: customerId },
        action: 'consent.narrowed',
        subject: { type: 'consent', id: consentId },
        before: { version: row.version, ...termsOf(row) },
        after: { version, ...t, changed: result.changed, receiptSha256: receipt.sha256 },
        requestId,
      });
      await this.webhooks.emit(m, row.app_id, 'consent.narrowed', {
        consentId,
        version,
        scopes: t.scopes,
        constraints: {
          accountIds: t.accountIds,
          transactionWindow: t.transactionWindow,
          merchants: t.merchants,
          categories: t.categories,
        },
        expiresAt: t.expiresAt,
        changed: result.changed,
      });
      await this.recordChange(m, consentId);
      return this.detail(m, consentId);
    });
  }

  /** The customer revokes one of their consents: 204 whether or not it was still active; 404 if not theirs. */
  async revokeForCustomer(customerId: string, consentId: string, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.ownedRow(m, customerId, consentId, true);
      await this.end(consentId, customerCause(customerId, requestId), m);
    });
  }

  /** The customer revokes every active consent they gave one app; 404 if they never consented to it. */
  async revokeAllForApp(customerId: string, appId: string, requestId?: string): Promise<{ revoked: number }> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT id, status FROM consents WHERE customer_id = $1 AND app_id = $2 ORDER BY created_at, id FOR UPDATE`,
        [customerId, appId],
      )) as { id: string; status: ConsentStatus }[];
      if (rows.length === 0) throw new NotFoundError('App');
      let revoked = 0;
      for (const r of rows) {
        if (r.status === 'active' && (await this.end(r.id, customerCause(customerId, requestId), m))) revoked++;
      }
      return { revoked };
    });
  }

  /**
   * The one path by which a consent ends, for every cause (SPEC: customer, app via OAuth
   * revocation, inactivity, expiry, staff). In one transaction (the caller's, when `m` is given):
   * status, `revokedAt`/`revokedBy`/`revocationReason`, version; the OAuth grant with its tokens,
   * codes and pushed requests (CONSENT_GRANT_REVOKER, when bound); the audit entry; the app's
   * `consent.revoked` or `consent.expired` webhook; the customer's email for the causes they did
   * not choose (inactivity, expiry, staff); and the change-feed entry every API process follows.
   * Idempotent: a consent that already ended is left alone and `false` returned.
   */
  async end(consentId: string, cause: EndingCause, m?: EntityManager, now = new Date()): Promise<boolean> {
    if (!m) return this.dataSource.transaction((tx) => this.end(consentId, cause, tx, now));
    const rows = (await m.query(`${SELECT_CONSENT} WHERE c.id = $1 FOR UPDATE OF c`, [consentId])) as ConsentRow[];
    const row = rows[0];
    if (!row) throw new NotFoundError('Consent');
    if (row.status !== 'active') return false;
    const event = endingEvent(cause.by);
    const status = nextConsentStatus(row.status, event, cause.by);
    await m.query(
      `UPDATE consents SET status = $2, revoked_at = $3, revoked_by = $4, revocation_reason = $5,
              version = version + 1, updated_at = $3
        WHERE id = $1`,
      [consentId, status, now, cause.by, cause.reason],
    );
    await this.grants?.revokeGrant(m, consentId);
    await this.audit.append(m, {
      actor: cause.actor,
      action: status === 'expired' ? 'consent.expired' : 'consent.revoked',
      subject: { type: 'consent', id: consentId },
      before: { status: row.status, version: row.version },
      after: { status, revokedBy: cause.by, reason: cause.reason, version: row.version + 1 },
      requestId: cause.requestId,
    });
    await this.webhooks.emit(m, row.app_id, status === 'expired' ? 'consent.expired' : 'consent.revoked', {
      consentId,
      environment: row.environment,
      revokedBy: cause.by,
      reason: cause.reason,
      at: now.toISOString(),
    });
    if (row.customer_email) {
      const names = { appName: row.app_name, organisationName: row.organisation_name };
      if (cause.by === 'expiry') {
        await this.outbox.enqueue(m, row.customer_email, 'consent-expired', {
          ...names,
          expiredAt: row.expires_at.toISOString(),
        });
      } else if (cause.by === 'inactivity') {
        await this.outbox.enqueue(m, row.customer_email, 'consent-revoked-inactivity', {
          ...names,
          inactivityDays: this.config.consents.inactivityDays,
        });
      }
    }
    await this.recordChange(m, consentId);
    return true;
  }

  /** The app's consents for its developers: counts by status and cursor pages of consents (no personal data). */
  async forApp(
    appId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<AppConsentView> & { counts: Record<ConsentStatus, number> }> {
    const after = decodeCursor(query.cursor, CURSOR_KINDS.appConsents) as Cursor | undefined;
    const counted = (await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM consents WHERE app_id = $1 GROUP BY status`,
      [appId],
    )) as { status: ConsentStatus; n: number }[];
    const counts = { active: 0, revoked: 0, expired: 0 };
    for (const c of counted) counts[c.status] = c.n;
    const rows = (await this.dataSource.query(
      `${SELECT_CONSENT.replace('SELECT c.id,', `SELECT ${cursorAtSql('c.created_at')} AS cursor_at, c.id,`)}
        WHERE c.app_id = $1 AND ($3::timestamptz IS NULL OR (c.created_at, c.id) < ($3::timestamptz, $4::uuid))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      [appId, query.limit + 1, after?.at ?? null, after?.id ?? null],
    )) as ConsentRow[];
    const page = toPage(rows, query.limit, CURSOR_KINDS.appConsents, (r) => ({ at: r.cursor_at!, id: r.id }));
    return {
      counts,
      data: page.data.map((r) => ({
        id: r.id,
        environment: r.environment,
        status: r.status,
        scopes: r.scopes,
        constraints: constraintsOf(r),
        createdAt: r.created_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
        lastUsedAt: iso(r.last_used_at),
        revokedAt: iso(r.revoked_at),
        revokedBy: r.revoked_by,
        version: r.version,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Appends to the change feed in `m`: every API process's replica re-reads the consent after commit. */
  private async recordChange(m: EntityManager, consentId: string): Promise<void> {
    await m.query(`SELECT gatehouse_consent_change($1, NULL, NULL)`, [consentId]);
  }

  private async insertReceipt(m: EntityManager, consentId: string, r: ConsentReceipt): Promise<void> {
    await m.query(
      `INSERT INTO consent_receipts (consent_id, version, wording_version, wording, data_list, decision, decided_at,
                                     scopes, constraints, expires_at, sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        consentId,
        r.version,
        r.wordingVersion,
        r.wording,
        JSON.stringify(r.dataList),
        r.decision,
        r.decidedAt,
        r.scopes,
        JSON.stringify(r.constraints),
        r.expiresAt,
        r.sha256,
      ],
    );
  }

  /** The consent if it is the customer's (locked when `lock`), else 404: never a 403 that confirms it exists. */
  private async ownedRow(m: EntityManager, customerId: string, consentId: string, lock = false): Promise<ConsentRow> {
    const rows = (await m.query(
      `${SELECT_CONSENT} WHERE c.id = $1 AND c.customer_id = $2${lock ? ' FOR UPDATE OF c' : ''}`,
      [consentId, customerId],
    )) as ConsentRow[];
    if (!rows[0]) throw new NotFoundError('Consent');
    return rows[0];
  }

  private async detail(m: EntityManager, consentId: string): Promise<ConsentDetailView> {
    const rows = (await m.query(`${SELECT_CONSENT} WHERE c.id = $1`, [consentId])) as ConsentRow[];
    if (!rows[0]) throw new NotFoundError('Consent');
    const receipts = (await m.query(
      `SELECT version, wording_version, wording, data_list, decision, decided_at, scopes, constraints, expires_at, sha256
         FROM consent_receipts WHERE consent_id = $1 ORDER BY version DESC`,
      [consentId],
    )) as ReceiptRow[];
    const all = receipts.map(receiptOf);
    return { ...viewOf(rows[0]), receipt: all[0]!, receipts: all };
  }
}

function customerCause(customerId: string, requestId?: string): EndingCause {
  return { by: 'customer', reason: 'Revoked by the customer', actor: { type: 'customer', id: customerId }, requestId };
}
