import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/config';

/** The general client: one server's connection, or a Redis Cluster's (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/** ioredis options from a redis:// or rediss:// URL (BullMQ takes options, not URLs). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // Reconnect forever, at most every 2 s: Redis coming back must not need a restart.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    connectTimeout: 5_000,
  };
}

/**
 * Options of a Redis Cluster client on the seed nodes of REDIS_CLUSTER_NODES (validated by
 * loadConfig: same scheme and credentials on every node, database 0). `redisOptions` go to every
 * node's connection, merged over the first node's credentials, TLS and timeouts; the cluster then
 * discovers the other masters and replicas from CLUSTER SLOTS, and follows MOVED/ASK redirections.
 */
export function clusterOptions(
  nodes: string[],
  options: Omit<ClusterOptions, 'redisOptions'> & { redisOptions?: RedisOptions } = {},
): { startupNodes: { host: string; port: number }[]; options: ClusterOptions } {
  const first = redisOptionsFromUrl(nodes[0]!);
  const startupNodes = nodes.map((n) => {
    const { host, port } = redisOptionsFromUrl(n);
    return { host: host!, port: port! };
  });
  return {
    startupNodes,
    options: {
      // Rediscover the cluster forever, at most every 2 s, as a single server is reconnected.
      clusterRetryStrategy: (times) => Math.min(times * 200, 2_000),
      ...options,
      redisOptions: {
        username: first.username,
        password: first.password,
        tls: first.tls,
        connectTimeout: first.connectTimeout,
        ...options.redisOptions,
      },
    },
  };
}

/**
 * Every key of the general client starts with this, then `:`. One server: REDIS_PREFIX as it is.
 * Cluster mode: REDIS_PREFIX in a hash tag (`{gatehouse}`), so all of them hash to one slot and the
 * MULTIs that read or count several keys at once (sign-in lockout, rate-limit flushes) stay legal
 * there (Redis Cluster specification, "Hash tags"; a multi-key command across slots is CROSSSLOT).
 */
export function keyNamespace(redis: AppConfig['redis']): string {
  return redis.clusterNodes ? `{${redis.prefix}}` : redis.prefix;
}

/**
 * BullMQ's `prefix` for one queue. One server: REDIS_PREFIX, as before. Cluster mode: a hash tag per
 * queue (`{gatehouse:mail}`): BullMQ's Lua scripts touch several keys of a queue at once, so a
 * queue's keys must share a slot, and one tag per queue spreads the queues over the masters (BullMQ
 * docs, "Redis Cluster"). No script spans two queues here (no flows).
 */
export function queuePrefix(redis: AppConfig['redis'], queue: string): string {
  return redis.clusterNodes ? `{${redis.prefix}:${queue}}` : redis.prefix;
}

/**
 * A connection of its own for commands that must not share the general client's settings (a
 * subscriber): same server(s), credentials and key namespace rules, with `overrides` applied to
 * each node's connection. Cluster: a new Cluster client on the same startup nodes.
 */
export function duplicateClient(client: RedisClient, overrides: RedisOptions): RedisClient {
  if (client instanceof Cluster) {
    const { keyPrefix, enableOfflineQueue, ...perNode } = overrides;
    return client.duplicate(undefined, {
      ...('keyPrefix' in overrides ? { keyPrefix } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      redisOptions: { ...client.options.redisOptions, ...perNode },
    });
  }
  return client.duplicate(overrides);
}

/**
 * The connection a client's subscriptions travel on, to tell whether they can hear anything now.
 * One server: the client itself. A Cluster: the node connection its subscriber picked, which ioredis
 * 5 keeps in the Cluster's private `subscriber` (undefined when none is picked yet, or if a later
 * ioredis stores it otherwise, which then reads as not listening). A connection other than the one
 * seen before means the subscription moved to another node, and messages published meanwhile were missed.
 */
export function subscriptionConnection(client: RedisClient): Redis | undefined {
  if (!(client instanceof Cluster)) return client;
  const subscriber = (client as unknown as { subscriber?: { getInstance?: () => unknown } }).subscriber;
  const instance = typeof subscriber?.getInstance === 'function' ? subscriber.getInstance() : undefined;
  return instance instanceof Redis ? instance : undefined;
}
