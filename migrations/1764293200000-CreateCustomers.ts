import { MigrationInterface, QueryRunner } from 'typeorm';

const CATEGORIES = [
  'groceries',
  'transport',
  'eating_out',
  'bills',
  'mortgage',
  'car_finance',
  'salary',
  'shopping',
  'entertainment',
  'transfers',
  'cash',
  'other',
];

/**
 * Bank customers (one row per token `sub`, SPEC "Customers and the sandbox bank") and the synthetic
 * sandbox bank: customers, accounts and transactions generated from a seed outside production.
 */
export class CreateCustomers1764293200000 implements MigrationInterface {
  name = 'CreateCustomers1764293200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sub varchar(255) NOT NULL,
        email varchar(320),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customers_sub_key UNIQUE (sub)
      )`);
    await q.query(`
      CREATE TABLE sandbox_customers (
        id uuid PRIMARY KEY,
        seed varchar(64) NOT NULL,
        number integer NOT NULL,
        name varchar(100) NOT NULL,
        email varchar(320) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sandbox_customers_seed_number_key UNIQUE (seed, number)
      )`);
    await q.query(`
      CREATE TABLE sandbox_accounts (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES sandbox_customers (id) ON DELETE CASCADE,
        type varchar(20) NOT NULL CHECK (type IN ('current', 'savings', 'credit_card')),
        name varchar(100) NOT NULL,
        sort_code char(6) NOT NULL,
        account_number char(8) NOT NULL,
        currency char(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX sandbox_accounts_customer_idx ON sandbox_accounts (customer_id)`);
    await q.query(`
      CREATE TABLE sandbox_transactions (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES sandbox_accounts (id) ON DELETE CASCADE,
        booking_date date NOT NULL,
        amount numeric(14, 2) NOT NULL,
        currency char(3) NOT NULL,
        description varchar(200) NOT NULL,
        merchant varchar(100) NOT NULL,
        category varchar(20) NOT NULL
          CONSTRAINT sandbox_transactions_category_check CHECK (category IN (${CATEGORIES.map((c) => `'${c}'`).join(', ')}))
      )`);
    await q.query(
      `CREATE INDEX sandbox_transactions_account_date_idx ON sandbox_transactions (account_id, booking_date)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sandbox_transactions`);
    await q.query(`DROP TABLE sandbox_accounts`);
    await q.query(`DROP TABLE sandbox_customers`);
    await q.query(`DROP TABLE customers`);
  }
}
