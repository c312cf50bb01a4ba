import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors/domain-error';
import { CustomerAuthentication, CustomerAuthenticator } from '../auth/ports';
import { CustomerTokens } from './customer-tokens.service';

export interface CustomerView {
  id: string;
  sub: string;
  email: string | null;
  createdAt: string;
  lastSeenAt: string;
}

/**
 * Customers as Gatehouse knows them: one `customers` row per token `sub`, its `email` kept from
 * the latest token that carried one. Implements the guard's CUSTOMER_AUTHENTICATOR port.
 */
@Injectable()
export class CustomersService implements CustomerAuthenticator {
  /**
   * `sub` + email → customer id, for 30 s: a sign-in with a new email misses and is written at
   * once; repeated requests with the same token do not write a row each.
   */
  private readonly recorded = new LRUCache<string, string>({ max: 10_000, ttl: 30_000 });

  constructor(
    private readonly tokens: CustomerTokens,
    private readonly dataSource: DataSource,
  ) {}

  async authenticate(token: string): Promise<CustomerAuthentication> {
    const result = await this.tokens.verify(token);
    if (!result.ok) return result;
    const { sub, email, expiresAt } = result.claims;
    const customerId = await this.record(sub, email);
    return { ok: true, customer: { kind: 'customer', customerId, sub, email }, expiresAt };
  }

  /** Creates or refreshes the row for `sub`; a token without `email` keeps the one on file. */
  async record(sub: string, email: string | null): Promise<string> {
    const key = `${sub}\n${email ?? ''}`;
    const cached = this.recorded.get(key);
    if (cached) return cached;
    const rows = (await this.dataSource.query(
      `INSERT INTO customers (sub, email) VALUES ($1, $2)
       ON CONFLICT (sub) DO UPDATE SET email = COALESCE(EXCLUDED.email, customers.email), last_seen_at = now()
       RETURNING id`,
      [sub, email],
    )) as { id: string }[];
    this.recorded.set(key, rows[0]!.id);
    return rows[0]!.id;
  }

  async get(customerId: string): Promise<CustomerView> {
    const rows = (await this.dataSource.query(
      `SELECT id, sub, email, created_at, last_seen_at FROM customers WHERE id = $1`,
      [customerId],
    )) as { id: string; sub: string; email: string | null; created_at: Date; last_seen_at: Date }[];
    const row = rows[0];
    if (!row) throw new NotFoundError('Customer');
    return {
      id: row.id,
      sub: row.sub,
      email: row.email,
      createdAt: row.created_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
    };
  }
}
