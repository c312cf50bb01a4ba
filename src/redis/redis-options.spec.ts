import Redis, { Cluster } from 'ioredis';
import { clusterOptions, duplicateClient, keyNamespace, queuePrefix, subscriptionConnection } from './redis-options';

const single = { url: 'redis://127.0.0.1:6379', prefix: 'gatehouse' };
const cluster = {
  url: 'rediss://app:pw@10.0.0.1:7000',
  clusterNodes: ['rediss://app:pw@10.0.0.1:7000', 'rediss://app:pw@10.0.0.2:7001'],
  prefix: 'gatehouse',
};

describe('key namespaces', () => {
  it('keeps the plain prefix on one server, so existing keys and queued jobs stay where they are', () => {
    expect(keyNamespace(single)).toBe('gatehouse');
    expect(queuePrefix(single, 'mail')).toBe('gatehouse');
  });

  it('puts the general keys in one hash tag and each queue in a tag of its own on a cluster', () => {
    expect(keyNamespace(cluster)).toBe('{gatehouse}');
    expect(queuePrefix(cluster, 'mail')).toBe('{gatehouse:mail}');
    expect(queuePrefix(cluster, 'checks')).toBe('{gatehouse:checks}');
  });
});

describe('clusterOptions', () => {
  it('seeds from every node and gives each node connection the first node’s credentials and TLS', () => {
    const { startupNodes, options } = clusterOptions(cluster.clusterNodes, {
      keyPrefix: '{gatehouse}:',
      redisOptions: { commandTimeout: 1_000 },
    });
    expect(startupNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(options.keyPrefix).toBe('{gatehouse}:');
    expect(options.redisOptions).toMatchObject({ username: 'app', password: 'pw', tls: {}, commandTimeout: 1_000 });
    expect(options.clusterRetryStrategy!(100, new Error('down'))).toBe(2_000);
  });
});

describe('duplicateClient', () => {
  it('gives a cluster’s duplicate the overrides per node and drops the key prefix when told to', () => {
    const { startupNodes, options } = clusterOptions(cluster.clusterNodes, {
      keyPrefix: '{gatehouse}:',
      enableOfflineQueue: false,
      lazyConnect: true,
      redisOptions: { maxRetriesPerRequest: 0, commandTimeout: 1_000 },
    });
    const original = new Cluster(startupNodes, options);
    const copy = duplicateClient(original, {
      keyPrefix: undefined,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    }) as Cluster;
    expect(copy).toBeInstanceOf(Cluster);
    expect(copy.options.keyPrefix).toBeFalsy();
    expect(copy.options.enableOfflineQueue).toBe(true);
    expect(copy.options.redisOptions).toMatchObject({ password: 'pw', maxRetriesPerRequest: null });
    expect(copy.options.redisOptions?.commandTimeout).toBeUndefined();
    // Neither has connected: no subscription connection yet, which reads as not listening.
    expect(subscriptionConnection(copy)).toBeUndefined();
    copy.disconnect();
    original.disconnect();
  });

  it('is the client itself for one server', () => {
    const client = new Redis({ lazyConnect: true });
    expect(subscriptionConnection(client)).toBe(client);
    const copy = duplicateClient(client, { keyPrefix: 'x:' });
    expect(copy).toBeInstanceOf(Redis);
    expect(copy.options.keyPrefix).toBe('x:');
    client.disconnect();
    copy.disconnect();
  });
});
