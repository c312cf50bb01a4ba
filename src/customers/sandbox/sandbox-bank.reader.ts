import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A sandbox account's row as the data API shows it. */
export interface SandboxAccountRow {
  id: string;
  type: string;
  name: string;
  sortCode: string;
  accountNumber: string;
  currency: string;
}

/** A sandbox transaction (amount a signed decimal string; booking date `YYYY-MM-DD`). */
export interface SandboxTransactionRow {
  id: string;
  accountId: string;
  bookingDate: string;
  amount: string;
  currency: string;
  description: string;
  merchant: string;
  category: string;
}

/** What to read of one account's transactions; null means "not restricted". */
export interface SandboxTransactionsFilter {
  accountId: string;
  /** Inclusive `YYYY-MM-DD` bounds. */
  from: string | null;
  to: string | null;
  /** Merchant keys (trimmed, whitespace collapsed, lower case: consents' `merchantKey`). */
  merchantKeys: readonly string[] | null;
  categories: readonly string[] | null;
  /** Keyset: only rows strictly before (bookingDate, id) in the (bookingDate, id) descending order. */
  before: { bookingDate: string; id: string } | null;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One page of an account's transactions. `merchant_key` is the stored, generated `merchantKey` of
 * the merchant (migration SandboxTransactionMerchantKey), so the merchant filter is a plain
 * comparison with planner statistics; with the index (account_id, booking_date DESC, id DESC) the
 * page walks the index from the cursor and stops after `limit` matching rows.
 */
const TRANSACTIONS_SQL = `
  SELECT t.id::text AS id, t.account_id::text AS "accountId", to_char(t.booking_date, 'YYYY-MM-DD') AS "bookingDate",
         t.amount::text AS amount, t.currency, t.description, t.merchant, t.category
    FROM sandbox_transactions t
   WHERE t.account_id = $1::uuid
     AND ($2::date IS NULL OR t.booking_date >= $2::date)
     AND ($3::date IS NULL OR t.booking_date <= $3::date)
     AND ($4::text[] IS NULL OR t.merchant_key = ANY($4::text[]))
     AND ($5::text[] IS NULL OR t.category = ANY($5::text[]))
     AND ($6::date IS NULL OR (t.booking_date, t.id) < ($6::date, $7::uuid))
   ORDER BY t.booking_date DESC, t.id DESC
   LIMIT $8`;

/**
 * Reads of the synthetic sandbox bank for the sandbox data API (the customers area owns these
 * tables). Plain filters, no consent rule: the data API decides what may be asked and gates each row.
 */
@Injectable()
export class SandboxBankReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The accounts among `ids` that exist, by id. Ids that are not uuids are skipped. */
  async accounts(ids: readonly string[]): Promise<SandboxAccountRow[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT id::text AS id, type, name, sort_code AS "sortCode", account_number AS "accountNumber", currency
         FROM sandbox_accounts WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [valid],
    )) as SandboxAccountRow[];
  }

  /** The booked balance of an account (sum of all its transactions, a decimal string), or undefined if there is no such account. */
  async balance(accountId: string): Promise<{ amount: string; currency: string } | undefined> {
    if (!UUID.test(accountId)) return undefined;
    const [row] = (await this.dataSource.query(
      `SELECT a.currency,
              coalesce((SELECT sum(t.amount) FROM sandbox_transactions t WHERE t.account_id = a.id), 0)::numeric(14, 2)::text AS amount
         FROM sandbox_accounts a WHERE a.id = $1::uuid`,
      [accountId],
    )) as { amount: string; currency: string }[];
    return row;
  }

  /**
   * One account's transactions matching `filter`, newest first ((bookingDate, id) descending), at
   * most `limit`. The (account_id, booking_date DESC, id DESC) index serves the range, the
   * order and the cursor.
   */
  async transactions(filter: SandboxTransactionsFilter): Promise<SandboxTransactionRow[]> {
    if (!UUID.test(filter.accountId)) return [];
    return (await this.dataSource.query(TRANSACTIONS_SQL, [
      filter.accountId,
      filter.from,
      filter.to,
      filter.merchantKeys,
      filter.categories,
      filter.before?.bookingDate ?? null,
      filter.before?.id ?? null,
      filter.limit,
    ])) as SandboxTransactionRow[];
  }
}
