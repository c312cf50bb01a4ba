import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { NotFoundError } from '../../common/errors/domain-error';
import { SandboxBank, generateSandboxBank } from './sandbox-generator';
import type { SandboxCustomerView } from '../dto/customer-token.dto';

// Any constant works; it only has to be the same in every Gatehouse process.
const SEED_LOCK_KEY = 70_421_997;
/** Rows per INSERT: keeps each statement's parameter list well under PostgreSQL's 65,535. */
const CHUNK = 1000;

export { SandboxCustomerView } from '../dto/customer-token.dto';

/**
 * The synthetic sandbox bank (outside production only; its module is not loaded in production).
 * Seeded at start from SANDBOX_SEED: idempotent (deterministic ids, ON CONFLICT DO NOTHING, an
 * advisory lock so processes starting together seed once), and a seed already present is left
 * alone, so its transactions keep the dates of the month they were first generated in.
 */
@Injectable()
export class SandboxService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SandboxService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'worker') return;
    const inserted = await this.seed(this.config.sandbox.seed, this.config.sandbox.customers, new Date());
    if (inserted > 0) this.logger.log(`seeded ${inserted} sandbox customers (seed ${this.config.sandbox.seed})`);
  }

  /** Inserts the seed's customers not yet present; returns how many were new. */
  async seed(seed: string, customers: number, now: Date): Promise<number> {
    if (customers === 0) return 0;
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      const [{ count }] = (await m.query(
        'SELECT count(*)::int AS count FROM sandbox_customers WHERE seed = $1 AND number <= $2',
        [seed, customers],
      )) as [{ count: number }];
      if (count >= customers) return 0;
      const until = now.toISOString().slice(0, 7);
      const bank = generateSandboxBank(seed, customers, until);
      return this.insert(m, seed, bank);
    });
  }

  private async insert(m: EntityManager, seed: string, bank: SandboxBank): Promise<number> {
    const added = (await m.query(
      `INSERT INTO sandbox_customers (id, seed, number, name, email)
       SELECT id, $1, number, name, email FROM jsonb_to_recordset($2::jsonb)
         AS r(id uuid, number int, name text, email text)
       ON CONFLICT DO NOTHING RETURNING id`,
      [seed, JSON.stringify(bank.customers)],
    )) as unknown[];
    await m.query(
      `INSERT INTO sandbox_accounts (id, customer_id, type, name, sort_code, account_number, currency)
       SELECT id, "customerId", type, name, "sortCode", "accountNumber", currency FROM jsonb_to_recordset($1::jsonb)
         AS r(id uuid, "customerId" uuid, type text, name text, "sortCode" text, "accountNumber" text, currency text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(bank.accounts)],
    );
    for (let i = 0; i < bank.transactions.length; i += CHUNK) {
      await m.query(
        `INSERT INTO sandbox_transactions (id, account_id, booking_date, amount, currency, description, merchant, category)
         SELECT id, "accountId", "bookingDate", "amountMinor" / 100.0, currency, description, merchant, category
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "accountId" uuid, "bookingDate" date, "amountMinor" bigint,
                currency text, description text, merchant text, category text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(bank.transactions.slice(i, i + CHUNK))],
      );
    }
    return added.length;
  }

  /** Every sandbox customer, by number, with how many accounts each has. */
  async list(): Promise<SandboxCustomerView[]> {
    return (await this.dataSource.query(
      `SELECT c.id, c.name, c.email, (SELECT count(*)::int FROM sandbox_accounts a WHERE a.customer_id = c.id) AS accounts
         FROM sandbox_customers c ORDER BY c.seed, c.number`,
    )) as SandboxCustomerView[];
  }

  async get(customerId: string): Promise<SandboxCustomerView> {
    const found = (await this.list()).find((c) => c.id === customerId);
    if (!found) throw new NotFoundError('Sandbox customer');
    return found;
  }
}
