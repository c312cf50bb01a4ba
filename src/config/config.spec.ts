import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.database.url).toBeUndefined();
    expect(config.database.migrateOnStart).toBe(true);
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'gatehouse' });
    expect(config.mail.from).toBe('Gatehouse <no-reply@gatehouse.local>');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.consents.inactivityDays).toBe(30);
    expect(config.queue.scheduleCheckMs).toBe(60_000);
  });

  it('reads the schedule check interval in seconds and refuses 0', () => {
    expect(loadConfig({ SCHEDULE_CHECK_SECONDS: '5' }).queue.scheduleCheckMs).toBe(5_000);
    expect(() => loadConfig({ SCHEDULE_CHECK_SECONDS: '0' })).toThrow(/SCHEDULE_CHECK_SECONDS/);
  });

  it('types and nests the values it reads', () => {
    const config = loadConfig({
      PORT: '8080',
      GATEHOUSE_ROLE: 'worker',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gatehouse',
      MIGRATE_ON_START: 'false',
      PUBLIC_URL: 'https://developer.bank.example/',
      CONSENT_INACTIVITY_DAYS: '45',
    });
    expect(config.http.port).toBe(8080);
    expect(config.role).toBe('worker');
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.publicUrl).toBe('https://developer.bank.example');
    expect(config.consents.inactivityDays).toBe(45);
  });

  it('reads the mTLS listener and trusted proxies, refusing bad entries and a production listener without its certificate', () => {
    expect(loadConfig({}).oauth).toMatchObject({ mtls: undefined, trustedProxies: [] });
    const config = loadConfig({
      PUBLIC_URL: 'https://developer.bank.example',
      MTLS_PORT: '3443',
      TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8',
    });
    expect(config.oauth.mtls).toEqual({
      port: 3443,
      publicUrl: 'https://developer.bank.example:3443',
      certPath: undefined,
      keyPath: undefined,
    });
    expect(config.oauth.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(loadConfig({ MTLS_PORT: '3443', MTLS_PUBLIC_URL: 'https://mtls.bank.example/' }).oauth.mtls?.publicUrl).toBe(
      'https://mtls.bank.example',
    );
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.1/8/1', '::1/129', '10.0.0.0/']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
    expect(() => loadConfig({ MTLS_PORT: '3000' })).toThrow(/MTLS_PORT: must differ from PORT/);
    expect(() => loadConfig({ MTLS_PORT: '3443', MTLS_CERT_PATH: '/x.pem' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ NODE_ENV: 'production', MTLS_PORT: '3443' })).toThrow(/MTLS_CERT_PATH/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'not a url', GATEHOUSE_ROLE: 'both', MASTER_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'GATEHOUSE_ROLE', 'MASTER_KEY']) expect(message).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('reads REDIS_CLUSTER_NODES as cluster mode, the first node giving the credentials', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'rediss://app:s3cret@10.0.0.1:6379, rediss://app:s3cret@10.0.0.2:6380,',
      REDIS_PREFIX: 'gh',
    });
    expect(config.redis).toEqual({
      url: 'rediss://app:s3cret@10.0.0.1:6379',
      clusterNodes: ['rediss://app:s3cret@10.0.0.1:6379', 'rediss://app:s3cret@10.0.0.2:6380'],
      prefix: 'gh',
    });
  });

  it('refuses cluster nodes that are ambiguous, mixed or not URLs, without quoting a password', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'redis://b:6379' })).toEqual([
      expect.stringMatching(/^REDIS_URL and REDIS_CLUSTER_NODES: set one or the other/),
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'redis://u:p@a:6379,rediss://u:p@b:6379' })).toEqual([
      'REDIS_CLUSTER_NODES: every node must use the same scheme and credentials',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'redis://a:6379/2' })).toEqual([
      'REDIS_CLUSTER_NODES: a:6379 names a database; a Redis Cluster has only database 0',
    ]);
    const bad = problems({ REDIS_CLUSTER_NODES: 'redis://a:6379,http://u:pw-secret@b:1,redis://u:pw-secret@[::1' });
    expect(bad).toEqual([
      'REDIS_CLUSTER_NODES: node 2 must be a redis:// or rediss:// URL with a host and a port',
      'REDIS_CLUSTER_NODES: node 3 is not a redis:// or rediss:// URL',
    ]);
    expect(bad.join()).not.toContain('secret');
    expect(problems({ REDIS_CLUSTER_NODES: ' , ' })).toEqual(['REDIS_CLUSTER_NODES: lists no node']);
  });

  it('refuses a database URL of the wrong kind', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root@localhost/db' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'http://localhost:6379' })).toThrow(/REDIS_URL/);
  });
});
