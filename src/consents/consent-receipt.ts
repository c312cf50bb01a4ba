import { createHash } from 'node:crypto';
import { SCOPES, Scope } from '../apps/credentials/scopes';
import { canonicalJson } from '../common/crypto/canonical-json';
import { ConsentConstraints, ConsentTerms } from './consent';

/**
 * The version of the consent wording below. A change of wording is a new version; receipts keep
 * the version and the exact text they were shown, so an old receipt still reads as it was agreed.
 */
export const CONSENT_WORDING_VERSION = 'gatehouse-consent-2026-11';

/** One line of the data list a customer is shown: a scope and what it lets the app see, in plain words. */
export interface ConsentDataItem {
  scope: string;
  title: string;
  description: string;
}

/** A receipt as stored and shown back to the customer (SPEC "Customer consents": Receipt). */
export interface ConsentReceipt {
  version: number;
  wordingVersion: string;
  wording: string;
  dataList: ConsentDataItem[];
  decision: 'approved' | 'narrowed';
  decidedAt: string;
  scopes: string[];
  constraints: ConsentConstraints;
  expiresAt: string;
  /** SHA-256 (hex) over the RFC 8785 canonical JSON of every other field. */
  sha256: string;
}

/** The data list for `scopes`: catalogue titles and descriptions, in the catalogue's order. */
export function dataListFor(scopes: readonly string[]): ConsentDataItem[] {
  return (Object.keys(SCOPES) as Scope[])
    .filter((s) => scopes.includes(s))
    .map((s) => ({ scope: s, title: SCOPES[s].title, description: SCOPES[s].description }));
}

/** The sentence the customer agrees to, naming the app, its organisation and every constraint. */
export function consentWording(
  app: { name: string; organisationName: string; purpose: string },
  terms: ConsentTerms,
): string {
  const parts = [
    `You allow ${app.name}, provided by ${app.organisationName}, to read the data listed below`,
    `from ${terms.accountIds.length === 1 ? 'the account' : `the ${terms.accountIds.length} accounts`} you chose`,
  ];
  const w = terms.transactionWindow;
  let text = parts.join(' ');
  if (w) text += `, for transactions dated ${w.from} to ${w.to} only`;
  if (terms.categories) text += `, in the categories ${terms.categories.join(', ')} only`;
  if (terms.merchants) text += `, with the merchants ${terms.merchants.join(', ')} only`;
  text += `, until ${terms.expiresAt.slice(0, 10)} at the latest.`;
  text += ` The app says it needs this to: ${app.purpose}.`;
  text +=
    ' You can narrow or revoke this consent at any time; access the app has not used for a while is revoked for you.';
  return text;
}

/**
 * Builds a receipt of `decision` on `terms` at `decidedAt` and seals it with its SHA-256. The
 * hash lets the customer (or the bank, in a dispute) show the receipt was not altered later.
 */
export function buildReceipt(
  version: number,
  decision: ConsentReceipt['decision'],
  decidedAt: Date,
  app: { name: string; organisationName: string; purpose: string },
  terms: ConsentTerms,
): ConsentReceipt {
  const body: Omit<ConsentReceipt, 'sha256'> = {
    version,
    wordingVersion: CONSENT_WORDING_VERSION,
    wording: consentWording(app, terms),
    dataList: dataListFor(terms.scopes),
    decision,
    decidedAt: decidedAt.toISOString(),
    scopes: [...terms.scopes],
    constraints: {
      accountIds: [...terms.accountIds],
      transactionWindow: terms.transactionWindow,
      merchants: terms.merchants,
      categories: terms.categories,
    },
    expiresAt: terms.expiresAt,
  };
  return { ...body, sha256: receiptHash(body) };
}

/** SHA-256 hex of the canonical JSON of a receipt without its `sha256` field. */
export function receiptHash(body: Omit<ConsentReceipt, 'sha256'>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
