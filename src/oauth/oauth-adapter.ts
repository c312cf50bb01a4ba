import { AsyncLocalStorage } from 'node:async_hooks';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * oidc-provider's storage on PostgreSQL (table `oauth_models`, migration CreateOAuthModels).
 *
 * - `consume` is one conditional UPDATE: of concurrent redemptions of one code exactly one
 *   matches `consumed_at IS NULL`; the others get `consumeLost` (an `invalid_grant` for the app).
 * - Expired rows are invisible to `find` and deleted a few at a time by later writes, so the table
 *   needs no schedule to stay small.
 * - Writes go to the transaction of `withinTransaction` when one is running (the consent screen
 *   saves the consent, its receipt, the grant and the interaction's result in one transaction).
 * - Clients (`Client`) are not stored: `clients` builds them from Gatehouse apps on every lookup.
 * - A destroyed `Grant` is a revoked consent (`grantDestroyed`): oidc-provider destroys grants only
 *   when it revokes one (token revocation, an authorization code replayed), and the consent is
 *   the truth those must follow.
 */
export interface OAuthAdapterDeps {
  dataSource: DataSource;
  clients: (clientId: string) => Promise<AdapterPayload | undefined>;
  grantDestroyed: (grantId: string) => Promise<void>;
  /** The error to throw when a concurrent `consume` already won (oidc-provider's InvalidGrant). */
  consumeLost: () => Error;
}

const ambient = new AsyncLocalStorage<EntityManager>();

/** Runs `fn` with every adapter write and read inside the transaction `m`. */
export function withinTransaction<T>(m: EntityManager, fn: () => Promise<T>): Promise<T> {
  return ambient.run(m, fn);
}

/** Rows past their expiry deleted per write: bounded work, and the table cannot grow without end. */
const CLEAN_UP_BATCH = 20;

interface Row {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

export function createOAuthAdapter(deps: OAuthAdapterDeps): new (model: string) => Adapter {
  const db = (): EntityManager => ambient.getStore() ?? deps.dataSource.manager;

  return class PostgresOAuthAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are Gatehouse apps; they are not stored by oidc-provider');
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await db().query(
        `INSERT INTO oauth_models (model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (model, id) DO UPDATE
           SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
               user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
        [
          this.model,
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.uid ?? null,
          payload.userCode ?? null,
          expiresAt,
        ],
      );
      await db().query(
        `DELETE FROM oauth_models WHERE ctid IN (
           SELECT ctid FROM oauth_models WHERE expires_at < now() LIMIT ${CLEAN_UP_BATCH} FOR UPDATE SKIP LOCKED)`,
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return deps.clients(id);
      if (this.model === 'Grant') {
        // The consent is the truth: a grant whose consent ended is gone, whatever is still stored.
        return this.one(
          `SELECT o.payload, o.consumed_at FROM oauth_models o
             JOIN consents c ON c.id::text = o.id
            WHERE o.model = 'Grant' AND o.id = $1 AND (o.expires_at IS NULL OR o.expires_at > now())
              AND c.status = 'active' AND c.expires_at > now()`,
          [id],
        );
      }
      return this.one(
        `SELECT payload, consumed_at FROM oauth_models
          WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, id],
      );
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.one(
        `SELECT payload, consumed_at FROM oauth_models
          WHERE model = $1 AND uid = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, uid],
      );
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.one(
        `SELECT payload, consumed_at FROM oauth_models
          WHERE model = $1 AND user_code = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, userCode],
      );
    }

    async consume(id: string): Promise<void> {
      const won = (await db().query(
        `UPDATE oauth_models SET consumed_at = now()
          WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING id`,
        [this.model, id],
      )) as [unknown[], number];
      if (won[0].length === 0) throw deps.consumeLost();
    }

    async destroy(id: string): Promise<void> {
      await db().query(`DELETE FROM oauth_models WHERE model = $1 AND id = $2`, [this.model, id]);
      if (this.model === 'Grant') await deps.grantDestroyed(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db().query(`DELETE FROM oauth_models WHERE model = $1 AND grant_id = $2`, [this.model, grantId]);
    }

    private async one(sql: string, params: unknown[]): Promise<AdapterPayload | undefined> {
      const rows = (await db().query(sql, params)) as Row[];
      const row = rows[0];
      if (!row) return undefined;
      return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
    }
  };
}
