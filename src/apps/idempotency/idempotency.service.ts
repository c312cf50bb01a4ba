import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { canonicalJson } from '../../common/crypto/canonical-json';
import { openSecret, sealSecret } from '../../common/crypto/master-key';
import { AppKeys } from '../app-keys';

// Request fingerprints are RFC 8785 text, so the same body sent with its fields in another order is
// the same request. For parsed JSON bodies it is byte for byte what the hand-written sorter used
// here before gave, so fingerprints stored within the last 24 hours still match.
export { canonicalJson };

/** How long a key is remembered: a client retrying a lost answer does so within minutes, not days. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const KEY_PATTERN = /^[\x21-\x7e]{8,200}$/;

export interface IdempotentResult<T> {
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * `Idempotency-Key` for writes that create credential-like things. The first request runs and its
 * answer is stored; a retry with the same key and the same body gets that answer again instead of
 * a second secret. A different body with the same key is refused (422), as is a retry while the
 * first is still running (it waits for the first and then replays it).
 *
 * The stored answer contains a secret shown once, so it is sealed (AES-256-GCM) with a key derived
 * from the Idempotency-Key the client sent and the server's pepper: the database holds neither,
 * so a dump of the table opens nothing. Keys are scoped to the user and the route.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: AppKeys,
  ) {}

  /**
   * Runs `work` in a transaction, or replays the stored answer for the same user, scope, key and
   * request body. Without a key it simply runs. Errors: 422 malformed key, 409 key reused for a
   * different body (idempotency_key_reused).
   */
  async run<T>(
    params: { userId: string; scope: string; key: string | undefined; request: unknown },
    work: (m: EntityManager) => Promise<T>,
  ): Promise<IdempotentResult<T>> {
    const { userId, scope, key } = params;
    if (key === undefined) return { body: await this.dataSource.transaction(work), replayed: false };
    assertWellFormedKey(key);
    const ids = idempotencyIds(userId, scope, key, params.request, this.keys.pepper());

    return this.dataSource.transaction(async (m) => {
      // One request per key at a time: a concurrent retry waits here, then finds the stored answer.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [ids.keyHash]);
      const stored = await this.findStored(m, userId, scope, ids.keyHash);
      if (stored) {
        if (stored.request_hash !== ids.requestHash) {
          throw new DomainError(
            'idempotency_key_reused',
            'This Idempotency-Key was already used for a different request; use a new key for a new request',
          );
        }
        return {
          body: JSON.parse(openSecret(ids.sealingKey, stored.response_sealed, ids.keyHash)) as T,
          replayed: true,
        };
      }
      const body = await work(m);
      await this.storeAnswer(m, userId, scope, ids, body);
      return { body, replayed: false };
    });
  }

  /** The unexpired stored answer for this user, scope and key hash, if any. */
  private async findStored(
    m: EntityManager,
    userId: string,
    scope: string,
    keyHash: string,
  ): Promise<{ request_hash: string; response_sealed: string } | undefined> {
    const rows = (await m.query(
      `SELECT request_hash, response_sealed FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key_hash = $3 AND expires_at > now()`,
      [userId, scope, keyHash],
    )) as {
      request_hash: string;
      response_sealed: string;
    }[];
    return rows[0];
  }

  /** Stores the sealed answer for the TTL, replacing an expired row with the same key. */
  private async storeAnswer(
    m: EntityManager,
    userId: string,
    scope: string,
    ids: IdempotencyIds,
    body: unknown,
  ): Promise<void> {
    await m.query(
      `INSERT INTO idempotency_keys (user_id, scope, key_hash, request_hash, response_status, response_sealed, expires_at)
       VALUES ($1, $2, $3, $4, 201, $5, now() + make_interval(secs => $6))
       ON CONFLICT (user_id, scope, key_hash) DO UPDATE SET request_hash = EXCLUDED.request_hash, response_sealed = EXCLUDED.response_sealed, created_at = now(), expires_at = EXCLUDED.expires_at`,
      [
        userId,
        scope,
        ids.keyHash,
        ids.requestHash,
        sealSecret(ids.sealingKey, JSON.stringify(body), ids.keyHash),
        IDEMPOTENCY_TTL_MS / 1000,
      ],
    );
  }

  /** Forgets answers older than the TTL (run by the worker's sweep). */
  async purgeExpired(): Promise<number> {
    const [, count] = (await this.dataSource.query(`DELETE FROM idempotency_keys WHERE expires_at <= now()`)) as [
      unknown,
      number,
    ];
    return count;
  }
}

/** 422 unless the key is 8-200 visible ASCII characters. */
function assertWellFormedKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationFailedError(
      [{ field: 'Idempotency-Key', message: 'must be 8-200 visible ASCII characters, e.g. a UUID' }],
      'The Idempotency-Key header is malformed',
    );
  }
}

interface IdempotencyIds {
  /** HMAC-SHA256 (pepper) of user, scope and key, hex: the row's key, so the raw key is never stored. */
  keyHash: string;
  /** SHA-256 of the RFC 8785 request body, hex. */
  requestHash: string;
  /** 32-byte AES key (HKDF of the client's key and the pepper) that seals the stored answer. */
  sealingKey: Buffer;
}

function idempotencyIds(userId: string, scope: string, key: string, request: unknown, pepper: Buffer): IdempotencyIds {
  const keyHash = createHmac('sha256', pepper).update(`${userId}\n${scope}\n${key}`).digest('hex');
  const requestHash = createHash('sha256')
    .update(canonicalJson(request ?? null))
    .digest('hex');
  const sealingKey = Buffer.from(hkdfSync('sha256', key, pepper, `gatehouse idempotency ${userId} ${scope}`, 32));
  return { keyHash, requestHash, sealingKey };
}
