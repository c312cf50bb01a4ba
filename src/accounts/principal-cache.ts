import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisClient, duplicateClient, subscriptionConnection } from '../redis/redis-options';
import { Principal } from '../auth/principal';

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Authenticated principals by token hash, for at most 30 s and never past the session's own
 * expiry, so a busy token costs no database round trip. At most 10,000 entries; the least recently
 * used goes first. Every change that ends or alters a session (logout, password reset, disablement,
 * MFA enrolment, email verification) drops the entries here at once and tells every other API
 * process through Redis pub/sub. While that channel is down no invalidation can arrive, so the
 * cache is bypassed (every request reads PostgreSQL) until it is back; entries cached before are
 * dropped when it returns.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalCache.name);
  // The wall clock, as the sessions' expiries are; ttlResolution 0 reads it on every check instead
  // of keeping a timer that caches it for a millisecond.
  private readonly entries = new LRUCache<string, Principal>({
    max: MAX_ENTRIES,
    ttl: TTL_MS,
    ttlResolution: 0,
    perf: { now: () => Date.now() },
  });
  private subscriber?: RedisClient;
  /** The connection invalidations were last heard on (in a Redis Cluster it can move to another node). */
  private heardOn?: object;
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:auth-invalidate`;
  }

  onModuleInit(): void {
    // Unlike the request client it queues while disconnected and waits as long as it takes: its
    // only command is SUBSCRIBE, which must not be lost to a timeout at start-up.
    this.subscriber = duplicateClient(this.redis, {
      keyPrefix: undefined,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    this.subscriber.on('error', (e: Error) => this.logger.warn(`invalidation channel: ${e.message}`));
    this.subscriber.on('message', (_channel: string, message: string) => this.applyInvalidation(message));
    // Anything cached while the channel was down may have missed an invalidation.
    this.subscriber.on('ready', () => this.entries.clear());
    void this.subscriber.subscribe(this.channel).catch((e: Error) => this.logger.warn(`subscribe: ${e.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /**
   * Whether invalidations from other processes can reach this one right now. When the subscription
   * has moved to another connection (a Redis Cluster node lost), anything cached before may have
   * missed an invalidation sent in between, so the cache starts empty.
   */
  private listening(): boolean {
    const connection = this.subscriber && subscriptionConnection(this.subscriber);
    if (connection !== this.heardOn) {
      this.entries.clear();
      this.heardOn = connection;
    }
    return connection?.status === 'ready';
  }

  get(tokenHash: string): Principal | undefined {
    if (!this.listening()) return undefined;
    return this.entries.get(tokenHash);
  }

  /** `validUntil`: the session's own expiry (absolute or idle, whichever is first), ms since the epoch. */
  set(tokenHash: string, principal: Principal, validUntil: number): void {
    if (!this.listening()) return;
    const ttl = Math.min(TTL_MS, validUntil - Date.now());
    // lru-cache reads a ttl of 0 as "never expires", so a session at or past its end is not cached.
    if (ttl <= 0) this.entries.delete(tokenHash);
    else this.entries.set(tokenHash, principal, { ttl });
  }

  /** Call after the change has committed, so no request can cache the old state again. */
  async invalidate(target: { userId?: string; sessionId?: string }): Promise<void> {
    const message = JSON.stringify(target);
    this.applyInvalidation(message);
    await this.redis
      .publish(this.channel, message)
      .catch((e: Error) => this.logger.warn(`invalidation not published: ${e.message}`));
  }

  private applyInvalidation(message: string): void {
    let target: { userId?: string; sessionId?: string };
    try {
      target = JSON.parse(message) as typeof target;
    } catch {
      return;
    }
    const { userId, sessionId } = target;
    const gone: string[] = [];
    for (const [hash, p] of this.entries.entries()) {
      if ((userId && p.userId === userId) || (sessionId && p.sessionId === sessionId)) gone.push(hash);
    }
    for (const hash of gone) this.entries.delete(hash);
  }
}
