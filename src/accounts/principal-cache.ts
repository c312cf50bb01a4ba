import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { Principal } from './principal';

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  cachedUntil: number;
  /** The session's own expiries (absolute and idle), so a cached entry never outlives them. */
  validUntil: number;
}

/**
 * Authenticated principals by token hash, for at most 30 s, so a busy token costs no database
 * round trip. Every change that ends or alters a session (logout, password reset, disablement,
 * MFA enrolment, email verification) drops the entries here at once and tells every other API
 * process through Redis pub/sub. While that channel is down no invalidation can arrive, so the
 * cache is bypassed (every request reads PostgreSQL) until it is back; entries cached before are
 * dropped when it returns.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalCache.name);
  private readonly entries = new Map<string, Entry>();
  private subscriber?: Redis;
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:auth-invalidate`;
  }

  onModuleInit(): void {
    // Unlike the request client it queues while disconnected and waits as long as it takes: its
    // only command is SUBSCRIBE, which must not be lost to a timeout at start-up.
    this.subscriber = this.redis.duplicate({
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

  /** Whether invalidations from other processes can reach this one right now. */
  private listening(): boolean {
    return this.subscriber?.status === 'ready';
  }

  get(tokenHash: string): Principal | undefined {
    if (!this.listening()) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    const now = Date.now();
    if (entry.cachedUntil < now || entry.validUntil < now) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  set(tokenHash: string, principal: Principal, validUntil: number): void {
    if (!this.listening()) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { principal, cachedUntil: Date.now() + TTL_MS, validUntil });
  }

  /** Call after the change has committed, so no request can cache the old state again. */
  async invalidate(target: { userId?: string; sessionId?: string }): Promise<void> {
    const message = JSON.stringify(target);
    this.applyInvalidation(message);
    await this.redis.publish(this.channel, message).catch((e: Error) => this.logger.warn(`invalidation not published: ${e.message}`));
  }

  private applyInvalidation(message: string): void {
    let target: { userId?: string; sessionId?: string };
    try {
      target = JSON.parse(message) as typeof target;
    } catch {
      return;
    }
    for (const [hash, entry] of this.entries) {
      if ((target.userId && entry.principal.userId === target.userId) || (target.sessionId && entry.principal.sessionId === target.sessionId)) this.entries.delete(hash);
    }
  }
}
