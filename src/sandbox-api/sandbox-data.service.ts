import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { AccessLogWriter } from '../consents/access-log/access-log.writer';
import type { DecisionReason } from '../consents/consent';
import { DecisionConsent, decide } from '../consents/consent-decision';
import { ConsentDecisionsService, DecisionAnswer } from '../consents/decision/consent-decisions.service';
import { ACCESS_TOKEN_RESOLVER, AccessTokenResolution, AccessTokenResolver } from '../consents/ports';
import { SandboxBankReader } from '../customers/sandbox/sandbox-bank.reader';
import { bearerToken } from '../oauth/bearer-token';
import { certificateBindingRefusal } from './certificate-binding';
import { TransactionsQuery, encodeTransactionsCursor } from './transactions-query';

/** Whom a data API request acts for: the consent and client of its (live) access token. */
export type DataApiCaller = AccessTokenResolution;

/** An account as the data API shows it. */
export interface AccountView {
  accountId: string;
  type: string;
  name: string;
  sortCode: string;
  accountNumber: string;
  currency: string;
}

/** An account's booked balance: the sum of all its transactions (amount a decimal string, e.g. "-12.40"). */
export interface BalanceView {
  accountId: string;
  type: 'booked';
  amount: string;
  currency: string;
}

/** A transaction as the data API shows it (amount a signed decimal string; negative is money out). */
export interface TransactionView {
  transactionId: string;
  accountId: string;
  bookingDate: string;
  amount: string;
  currency: string;
  description: string;
  merchant: string;
  category: string;
}

/** The endpoints as the access log names them. */
export const DATA_API_ENDPOINTS = {
  accounts: 'GET /sandbox/v1/accounts',
  balances: 'GET /sandbox/v1/accounts/:accountId/balances',
  transactions: 'GET /sandbox/v1/accounts/:accountId/transactions',
} as const;

const INVALID_TOKEN_REASONS: ReadonlySet<DecisionReason> = new Set([
  'token_invalid',
  'no_consent',
  'revoked',
  'expired',
]);

function invalidToken(detail: string, reason: string): DomainError {
  return new DomainError(
    'unauthenticated',
    detail,
    { reason },
    {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"`,
    },
  );
}

/**
 * Turns a refusal of the decision point into the data API's answer:
 * - no live consent (`token_invalid`, `no_consent`, `revoked`, `expired`) → 401 `invalid_token`;
 * - `scope_not_granted` → 403 with the reason and `WWW-Authenticate: Bearer error="insufficient_scope"`;
 * - `account_not_granted` → 404, as for an account that does not exist (no probing of account ids);
 * - `app_suspended` → 403 with the reason: the token is genuine, the app may not use it now, and a
 *   401 would send the app to re-authorise, which a suspended app cannot do either.
 */
function refusal(reason: DecisionReason, scope: string): DomainError {
  if (INVALID_TOKEN_REASONS.has(reason)) return invalidToken('the access token is not valid', reason);
  if (reason === 'account_not_granted') return new NotFoundError('Account');
  if (reason === 'scope_not_granted')
    return new DomainError(
      'forbidden',
      `the consent does not grant ${scope}`,
      { reason, scope },
      {
        'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"`,
      },
    );
  return new DomainError('forbidden', `the consent does not allow this (${reason})`, { reason });
}

/**
 * The consent of an allowed decision as `decide()` takes it, to gate each row of the answer with the
 * SAME rule the decision point applied (src/consents/consent-decision.ts). Merchants are already
 * `merchantKey`ed (the decision point's constraints are). Only `scope` is listed: it was just granted.
 */
export function rowGateOf(answer: DecisionAnswer, scope: string): DecisionConsent {
  const c = answer.constraints!;
  return {
    id: answer.consentId!,
    status: 'active',
    scopes: [scope],
    accountIds: c.accountIds,
    windowFrom: c.transactionWindow?.from ?? null,
    windowTo: c.transactionWindow?.to ?? null,
    merchants: c.merchants,
    categories: c.categories,
    expiresAtMs: Date.parse(answer.expiresAt!),
  };
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null || a > b ? a : b);
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null || a < b ? a : b);

/**
 * The sandbox data API (SPEC "Sandbox data API"): what an app with an access token may read of the
 * sandbox bank. Every request: the token from the Authorization header only, resolved through
 * ACCESS_TOKEN_RESOLVER (live token of an active consent), its certificate binding (hook), then
 * the decision point's `decide()` for the scope and account — on every request, so a revocation
 * is felt as soon as the token's grant is gone or the replica has the change (≤ 1 s everywhere).
 * Every row of an answer passes the same `decide()`; every answer is written to the access log
 * (batched, off the request path) and moves the consent's lastUsedAt (coalesced by the writer).
 */
@Injectable()
export class SandboxDataService {
  constructor(
    private readonly bank: SandboxBankReader,
    private readonly decisions: ConsentDecisionsService,
    private readonly accessLog: AccessLogWriter,
    @Inject(ACCESS_TOKEN_RESOLVER) private readonly tokens: AccessTokenResolver,
  ) {}

  /**
   * The caller of a request: 400 `invalid_request` for a token in the query or body, 401
   * `invalid_token` (with WWW-Authenticate) for a missing, unknown, expired or revoked token or a
   * certificate-bound token without its certificate.
   */
  async caller(req: IncomingMessage & { query?: Record<string, unknown>; body?: unknown }): Promise<DataApiCaller> {
    const bearer = bearerToken({
      authorization: req.headers.authorization,
      query: req.query,
      body: req.body,
    });
    if (!bearer.ok) {
      if (bearer.error === 'invalid_request')
        throw new DomainError(
          'validation_failed',
          bearer.description,
          { errors: [{ field: 'access_token', message: bearer.description }] },
          { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
        );
      throw new DomainError(
        'unauthenticated',
        bearer.description,
        { reason: 'token_invalid' },
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    const resolved = await this.tokens.resolve(bearer.token);
    if (!resolved) throw invalidToken('the access token is not valid', 'token_invalid');
    const unbound = certificateBindingRefusal(resolved, req);
    if (unbound) throw invalidToken(unbound, 'token_invalid');
    return resolved;
  }

  /** GET /sandbox/v1/accounts: the consent's granted accounts (scope accounts:read). */
  async accounts(caller: DataApiCaller, requestId: string | null): Promise<{ data: AccountView[] }> {
    const scope = 'accounts:read';
    const answer = await this.allowed(caller, scope, undefined);
    const gate = rowGateOf(answer, scope);
    const nowMs = Date.now();
    const data: AccountView[] = (await this.bank.accounts(gate.accountIds))
      .filter((r) => decide(gate, true, scope, { accountId: r.id }, nowMs) === 'allowed')
      .map(({ id, ...rest }) => ({ accountId: id, ...rest }));
    this.log(
      caller,
      DATA_API_ENDPOINTS.accounts,
      data.map((a) => a.accountId),
      null,
      data.length,
      requestId,
    );
    return { data };
  }

  /** GET /sandbox/v1/accounts/:accountId/balances (scope balances:read; another account is 404). */
  async balances(caller: DataApiCaller, accountId: string, requestId: string | null): Promise<{ data: BalanceView[] }> {
    const scope = 'balances:read';
    // The decision allowed this account (granting checked the customer owns it); the row must exist too.
    await this.allowed(caller, scope, accountId);
    const row = await this.bank.balance(accountId);
    if (!row) throw new NotFoundError('Account');
    const data: BalanceView[] = [{ accountId, type: 'booked', amount: row.amount, currency: row.currency }];
    this.log(caller, DATA_API_ENDPOINTS.balances, [accountId], null, data.length, requestId);
    return { data };
  }

  /**
   * GET /sandbox/v1/accounts/:accountId/transactions: the account's transactions inside both the
   * consent's window and the request's from/to, of granted merchants and categories, newest first,
   * in cursor pages. `nextCursor` is null on the last page.
   */
  async transactions(
    caller: DataApiCaller,
    accountId: string,
    query: TransactionsQuery,
    requestId: string | null,
  ): Promise<{ data: TransactionView[]; nextCursor: string | null }> {
    const scope = 'transactions:read';
    const answer = await this.allowed(caller, scope, accountId);
    const page = await this.filteredTransactions(rowGateOf(answer, scope), accountId, query);
    this.log(caller, DATA_API_ENDPOINTS.transactions, [accountId], page.range, page.data.length, requestId);
    return { data: page.data, nextCursor: page.nextCursor };
  }

  /**
   * One page of an account's transactions as the consent `gate` allows them: SQL narrows by
   * account, dates, merchants and categories; then `decide()` is the final gate on every row.
   * `range` is the date range actually served (request ∩ window; null ends are open).
   */
  async filteredTransactions(
    gate: DecisionConsent,
    accountId: string,
    query: TransactionsQuery,
    nowMs = Date.now(),
  ): Promise<{
    data: TransactionView[];
    nextCursor: string | null;
    range: { from: string | null; to: string | null };
  }> {
    const from = later(query.from, gate.windowFrom);
    const to = earlier(query.to, gate.windowTo);
    const range = { from, to };
    if (from !== null && to !== null && from > to) return { data: [], nextCursor: null, range };
    const rows = await this.bank.transactions({
      accountId,
      from,
      to,
      merchantKeys: gate.merchants,
      categories: gate.categories,
      before: query.cursor,
      limit: query.limit + 1,
    });
    const more = rows.length > query.limit;
    const pageRows = more ? rows.slice(0, query.limit) : rows;
    const data: TransactionView[] = [];
    for (const r of pageRows) {
      const reason = decide(
        gate,
        true,
        'transactions:read',
        {
          accountId: r.accountId,
          transactionDate: r.bookingDate,
          merchant: r.merchant,
          category: r.category,
        },
        nowMs,
      );
      if (reason !== 'allowed') continue;
      data.push({
        transactionId: r.id,
        accountId: r.accountId,
        bookingDate: r.bookingDate,
        amount: r.amount,
        currency: r.currency,
        description: r.description,
        merchant: r.merchant,
        category: r.category,
      });
    }
    // The cursor is the last row the query read, kept or not, so the next page starts after it.
    const last = pageRows[pageRows.length - 1];
    const nextCursor =
      more && last
        ? encodeTransactionsCursor({
            bookingDate: last.bookingDate,
            id: last.id,
          })
        : null;
    return { data, nextCursor, range };
  }

  /** The decision point's answer for this request, or the refusal it maps to. */
  private async allowed(caller: DataApiCaller, scope: string, accountId: string | undefined): Promise<DecisionAnswer> {
    const answer = await this.decisions.decide(
      { consentId: caller.consentId, clientId: caller.clientId },
      scope,
      accountId === undefined ? undefined : { accountId },
    );
    if (!answer.allow || !answer.constraints) throw refusal(answer.reason, scope);
    return answer;
  }

  private log(
    caller: DataApiCaller,
    endpoint: string,
    accountIds: string[],
    dateRange: { from: string | null; to: string | null } | null,
    records: number,
    requestId: string | null,
  ): void {
    this.accessLog.record({
      consentId: caller.consentId,
      endpoint,
      accountIds,
      dateRange,
      records,
      requestId,
    });
  }
}
