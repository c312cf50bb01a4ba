import { Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { assertWorkersComplete, createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { adminQuery, databaseUrl, dropDatabase } from './postgres';
import { SmtpCatcher } from './smtp-catcher';

let counter = 0;

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the run's migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runId = process.env.GATEHOUSE_TEST_RUN_ID;
  const template = process.env.GATEHOUSE_TEST_TEMPLATE_DB;
  if (!runId || !template) throw new Error('e2e harness: the global setup did not run');
  const name = `gatehouse_test_${runId}_${process.pid}_${++counter}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/**
 * Deletes every key of a test's prefix: on the one server, or on each master among a Redis
 * Cluster's seed nodes (where keys sit in hash tags, `{prefix}:…` and `{prefix:queue}:…`, and are
 * deleted one by one, as a multi-key DEL across slots is refused). Cluster nodes are reached one by
 * one with plain connections that give up at once: a node a test crashed must not hang its teardown.
 */
export async function deleteRedisKeys(redis: AppConfig['redis']): Promise<void> {
  if (redis.clusterNodes) {
    for (const url of redis.clusterNodes) {
      const node = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      node.on('error', () => undefined);
      try {
        await node.connect();
        if (!(await node.info('replication')).includes('role:master')) continue;
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `{${redis.prefix}[:}]*`, 'COUNT', 1000);
          for (const key of keys) await node.del(key);
          cursor = next;
        } while (cursor !== '0');
      } catch {
        // A node stopped or crashed by the test: nothing to clean there.
      } finally {
        node.disconnect();
      }
    }
    return;
  }
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${redis.prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis may be stopped on purpose by the test; nothing to clean then.
  } finally {
    client.disconnect();
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Test-only modules mounted beside the real ones. */
  modules?: Type[];
  /** Start without an SMTP catcher (mail then goes to .eml files). */
  smtp?: boolean;
  /** A second instance on the same database, Redis prefix and SMTP catcher (closing it leaves them). */
  sharing?: TestApp;
  /**
   * false: the service tier. The module graph (workers included) is initialised on the real
   * PostgreSQL and Redis but no port is opened; `http()` throws. Default true.
   */
  http?: boolean;
  /**
   * Listen on a free port chosen up front and set PUBLIC_URL to it, for code that must know its
   * own public address before it serves (the OAuth issuer, which clients compare byte for byte).
   */
  publicUrlIsBaseUrl?: boolean;
}

/** A port that was free a moment ago (the OS picks it; the caller binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  smtp: SmtpCatcher;
  http: () => ReturnType<typeof request>;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real Gatehouse (role `all` unless told otherwise) on a fresh database, a unique Redis
 * prefix and an in-process SMTP server.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const shared = options.sharing;
  const db = shared?.db ?? (await createTestDatabase());
  const smtp = shared?.smtp ?? new SmtpCatcher();
  if (!shared && options.smtp !== false) await smtp.start();
  const varDir = shared?.config.varDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const prefix = shared?.config.redis.prefix ?? `gatehouse-test-${randomBytes(5).toString('hex')}`;
  const port = options.publicUrlIsBaseUrl ? await freePort() : 0;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '3000',
    DATABASE_URL: db.url,
    MIGRATE_ON_START: 'false',
    // A test on a Redis Cluster names its nodes instead (REDIS_CLUSTER_NODES excludes REDIS_URL).
    ...(options.env?.REDIS_CLUSTER_NODES ? {} : { REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }),
    REDIS_PREFIX: prefix,
    VAR_DIR: varDir,
    ...(options.smtp !== false || shared ? { SMTP_URL: smtp.url } : {}),
    ...(port ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    ...options.env,
  });
  const app = await createHttpApp(config, options.modules ?? []);
  const serving = options.http !== false;
  if (serving) await app.listen(port, '127.0.0.1');
  else await app.init();
  assertWorkersComplete(app, config);
  const baseUrl = serving ? `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` : '';
  const noHttp = (): never => {
    throw new Error('a service-level test app has no HTTP server: call the services (t.app.get(…))');
  };
  return {
    app,
    config,
    db,
    dataSource: app.get(DataSource),
    smtp,
    baseUrl,
    http: serving ? () => request(app.getHttpServer()) : noHttp,
    async close() {
      await app.close();
      if (shared) return;
      await smtp.stop();
      await deleteRedisKeys(config.redis);
      await db.drop();
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}
