import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { redisOptionsFromUrl } from './redis-options';

export const REDIS = Symbol('REDIS');

/** Longest wait for one reply on the general client, in milliseconds. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * A general-purpose client for health checks, rate limits and caches. Commands fail fast while
 * Redis is unreachable (no offline queue) so a request never hangs waiting for it. What each
 * request path does then is in docs/decisions.md ("Redis outages").
 */
@Injectable()
export class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    redis.on('error', (e: Error) => this.logger.warn(`Redis connection: ${e.message}`));
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (this.redis.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('not ready after 5 s')), 5_000);
          this.redis.once('ready', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const reply = (await this.redis.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply?.[1];
      if (policy && policy !== 'noeviction') {
        this.logger.warn(
          `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued jobs can be silently evicted`,
        );
      }
    } catch (e) {
      // Managed Redis often forbids CONFIG; that is not a reason to refuse to start.
      this.logger.warn(`could not read Redis maxmemory-policy: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Redis({
          ...redisOptionsFromUrl(config.redis.url),
          keyPrefix: `${config.redis.prefix}:`,
          // Fail fast on request paths: no queueing while disconnected, a command in flight when the
          // connection drops is not replayed, and one that Redis does not answer gives up after 1 s
          // (a hung server or lost packets close no socket). BullMQ's connections are separate
          // (src/queue/queue.module.ts) and keep their offline queue, as its workers need.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
          lazyConnect: false,
        }),
    },
    RedisLifecycle,
  ],
  exports: [REDIS],
})
export class RedisModule {}
