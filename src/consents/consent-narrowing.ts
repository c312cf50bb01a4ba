import { ConsentTerms, TransactionWindow, merchantKey } from './consent';

/** What a customer may send to narrow a consent; absent fields stay as they are. */
export interface NarrowingRequest {
  accountIds?: string[];
  scopes?: string[];
  transactionWindow?: TransactionWindow | null;
  merchants?: string[] | null;
  categories?: string[] | null;
  expiresAt?: string;
}

export type NarrowingResult =
  | { ok: true; terms: ConsentTerms; changed: (keyof NarrowingRequest)[] }
  | { ok: false; field: keyof NarrowingRequest; message: string };

const sameSet = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((x) => b.includes(x));

/**
 * Applies a customer's PATCH under the narrow-only rule (SPEC "Customer consents": drop accounts
 * or scopes, shorten the window, add merchant or category restrictions, bring `expiresAt`
 * forward; anything that widens is refused naming the field). Checked field by field in a fixed
 * order; the first widening field is the answer. `nowMs` bounds the new expiry from below: a
 * consent cannot be narrowed into the past (revoke it instead). Shapes (ISO dates, non-empty
 * lists, known scopes and categories) are the DTO's job; this function judges only direction.
 */
export function narrowTerms(current: ConsentTerms, patch: NarrowingRequest, nowMs: number): NarrowingResult {
  const next: ConsentTerms = { ...current };
  const changed: (keyof NarrowingRequest)[] = [];

  if (patch.accountIds !== undefined) {
    const added = patch.accountIds.find((a) => !current.accountIds.includes(a));
    if (added !== undefined) return widens('accountIds', `account ${added} is not part of this consent`);
    next.accountIds = [...new Set(patch.accountIds)];
    if (!sameSet(next.accountIds, current.accountIds)) changed.push('accountIds');
  }
  if (patch.scopes !== undefined) {
    const added = patch.scopes.find((s) => !current.scopes.includes(s));
    if (added !== undefined) return widens('scopes', `scope ${added} is not part of this consent`);
    next.scopes = [...new Set(patch.scopes)];
    if (!sameSet(next.scopes, current.scopes)) changed.push('scopes');
  }
  if (patch.transactionWindow !== undefined) {
    const w = patch.transactionWindow;
    const cur = current.transactionWindow;
    if (w === null) {
      if (cur !== null) return widens('transactionWindow', 'removing the date window would share every date');
    } else {
      if (cur !== null && (w.from < cur.from || w.to > cur.to)) {
        return widens('transactionWindow', `the window can only shrink within ${cur.from}..${cur.to}`);
      }
      next.transactionWindow = { from: w.from, to: w.to };
      if (cur === null || cur.from !== w.from || cur.to !== w.to) changed.push('transactionWindow');
    }
  }
  if (patch.merchants !== undefined) {
    const r = narrowList(current.merchants, patch.merchants?.map(merchantKey) ?? null, 'merchant');
    if (!r.ok) return widens('merchants', r.message);
    next.merchants = r.list;
    if (!sameSet(r.list, current.merchants)) changed.push('merchants');
  }
  if (patch.categories !== undefined) {
    const r = narrowList(current.categories, patch.categories, 'category');
    if (!r.ok) return widens('categories', r.message);
    next.categories = r.list;
    if (!sameSet(r.list, current.categories)) changed.push('categories');
  }
  if (patch.expiresAt !== undefined) {
    const at = Date.parse(patch.expiresAt);
    if (at > Date.parse(current.expiresAt)) {
      return widens('expiresAt', `the expiry can only move earlier than ${current.expiresAt}`);
    }
    if (at <= nowMs) return widens('expiresAt', 'the expiry must be in the future; to end the consent now, revoke it');
    next.expiresAt = new Date(at).toISOString();
    if (at !== Date.parse(current.expiresAt)) changed.push('expiresAt');
  }
  return { ok: true, terms: next, changed };
}

/** A restriction list narrows when it is a subset of the current one, or the current one is "any" (null). */
function narrowList(
  current: string[] | null,
  wanted: string[] | null,
  what: string,
): { ok: true; list: string[] | null } | { ok: false; message: string } {
  if (wanted === null) {
    return current === null
      ? { ok: true, list: null }
      : { ok: false, message: `removing the ${what} restriction would share every ${what}` };
  }
  const added = current === null ? undefined : wanted.find((x) => !current.includes(x));
  if (added !== undefined) return { ok: false, message: `${what} ${added} is not part of this consent` };
  return { ok: true, list: [...new Set(wanted)] };
}

function widens(field: keyof NarrowingRequest, message: string): NarrowingResult {
  return { ok: false, field, message };
}
