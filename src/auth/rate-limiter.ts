import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisClient } from '../redis/redis-options';

const FLUSH_MS = 250;

interface Window {
  minute: number;
  /** Requests counted here and not yet sent to Redis. */
  pending: number;
  /** The shared count Redis last reported (all processes). */
  shared: number;
}

/**
 * Per-token request limit, shared across API processes through Redis without a Redis round trip
 * on each request: counts accumulate in memory and are flushed with INCRBY every 250 ms; a
 * decision uses the last shared total plus what this process has not flushed yet. The limit can
 * therefore be overshot by at most one flush interval's traffic from other processes. If Redis is
 * unreachable the limiter keeps counting locally (it fails open for other processes' share, not
 * closed for everyone).
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;
  private flushing = false;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Counts one request; returns seconds until the window resets when the token is over its limit. */
  hit(subject: string): number | undefined {
    const minute = Math.floor(Date.now() / 60_000);
    let w = this.windows.get(subject);
    if (!w || w.minute !== minute) {
      w = { minute, pending: 0, shared: 0 };
      this.windows.set(subject, w);
    }
    w.pending++;
    if (w.shared + w.pending > this.config.auth.rateLimitPerMinute) return 60 - Math.floor((Date.now() / 1000) % 60);
    return undefined;
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    const current = Math.floor(Date.now() / 60_000);
    try {
      const batch = [...this.windows.entries()].filter(([, w]) => w.pending > 0 && w.minute === current);
      for (const [subject, w] of this.windows) if (w.minute !== current) this.windows.delete(subject);
      if (batch.length === 0) return;
      const multi = this.redis.multi();
      for (const [subject, w] of batch) {
        const key = `rl:${subject}:${w.minute}`;
        multi.incrby(key, w.pending).expire(key, 61);
      }
      const sent = batch.map(([, w]) => w.pending);
      batch.forEach(([, w]) => (w.pending = 0));
      try {
        const results = (await multi.exec()) ?? [];
        // The total already includes what was just sent; hits during the flush stay pending.
        batch.forEach(([, w], i) => {
          const total = Number(results[i * 2]?.[1] ?? 0);
          if (total > 0) w.shared = total;
        });
      } catch (e) {
        // Keep the counts: they go out with the next flush.
        batch.forEach(([, w], i) => (w.pending += sent[i]!));
        this.logger.warn(`rate limit counters not flushed: ${(e as Error).message}`);
      }
    } finally {
      this.flushing = false;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
