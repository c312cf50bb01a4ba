import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import Redis, { Cluster, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { RedisClient, clusterOptions, keyNamespace, redisOptionsFromUrl } from './redis-options';

/** The general client (RedisClient): a single server's connection, or a Redis Cluster's. */
export const REDIS = Symbol('REDIS');

/**
 * What BullMQ connects with (src/queue/queue.module.ts): ioredis options for one server (every
 * queue and worker opens its own connections from them), or in cluster mode one Cluster client the
 * queues share and each worker duplicates for its blocking reads (BullMQ takes a Cluster only as an
 * instance). Closed at shutdown by RedisLifecycle.
 */
export const REDIS_QUEUE_CONNECTION = Symbol('REDIS_QUEUE_CONNECTION');
export type RedisQueueConnection = RedisOptions | Cluster;

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
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(REDIS_QUEUE_CONNECTION) private readonly queueConnection: RedisQueueConnection,
  ) {
    redis.on('error', (e: Error) => this.logger.warn(`Redis connection: ${e.message}`));
    if (queueConnection instanceof Cluster) {
      queueConnection.on('error', (e: Error) =>
        this.logger.warn(`Redis Cluster connection of the queues: ${e.message}`),
      );
    }
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
      // Every master of a cluster holds queues: each one's policy counts.
      const servers: Redis[] = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
      for (const server of servers) {
        const reply = (await server.config('GET', 'maxmemory-policy')) as string[];
        const policy = reply?.[1];
        if (policy && policy !== 'noeviction') {
          const where = this.redis instanceof Cluster ? ` on ${server.options.host}:${server.options.port}` : '';
          this.logger.warn(
            `Redis maxmemory-policy is "${policy}"${where}; BullMQ needs "noeviction" or queued jobs can be silently evicted`,
          );
        }
      }
    } catch (e) {
      // Managed Redis often forbids CONFIG; that is not a reason to refuse to start.
      this.logger.warn(`could not read Redis maxmemory-policy: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const clients: RedisClient[] = [this.redis];
    if (this.queueConnection instanceof Cluster) clients.push(this.queueConnection);
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/**
 * The general client. Fail fast on request paths: no queueing while disconnected, a command in
 * flight when the connection drops is not replayed, and one that Redis does not answer gives up
 * after 1 s (a hung server or lost packets close no socket). BullMQ's connections are separate
 * (REDIS_QUEUE_CONNECTION) and keep their offline queue, as its workers need. In cluster mode the
 * same rules hold per node, and every key is in the one hash tag of keyNamespace().
 */
function generalClient(config: AppConfig): RedisClient {
  const failFast = { maxRetriesPerRequest: 0, commandTimeout: REDIS_COMMAND_TIMEOUT_MS };
  const keyPrefix = `${keyNamespace(config.redis)}:`;
  if (config.redis.clusterNodes) {
    const { startupNodes, options } = clusterOptions(config.redis.clusterNodes, {
      keyPrefix,
      enableOfflineQueue: false,
      redisOptions: failFast,
    });
    return new Cluster(startupNodes, options);
  }
  return new Redis({
    ...redisOptionsFromUrl(config.redis.url),
    keyPrefix,
    enableOfflineQueue: false,
    ...failFast,
    lazyConnect: false,
  });
}

/** BullMQ's connection (REDIS_QUEUE_CONNECTION): `maxRetriesPerRequest: null`, as its blocking connections require. */
function queueConnection(config: AppConfig): RedisQueueConnection {
  if (!config.redis.clusterNodes) return redisOptionsFromUrl(config.redis.url);
  const { startupNodes, options } = clusterOptions(config.redis.clusterNodes, {
    redisOptions: { maxRetriesPerRequest: null },
  });
  return new Cluster(startupNodes, options);
}

@Global()
@Module({
  providers: [
    { provide: REDIS, inject: [APP_CONFIG], useFactory: generalClient },
    { provide: REDIS_QUEUE_CONNECTION, inject: [APP_CONFIG], useFactory: queueConnection },
    RedisLifecycle,
  ],
  exports: [REDIS, REDIS_QUEUE_CONNECTION],
})
export class RedisModule {}
