import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/accounts/passwords';
import { mailboxKey } from '../../src/accounts/mailbox';
import { assertWorkersComplete, createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createDataSource } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrations';
import { RunningApp } from './bare-nest-app';
import { REDIS_URL, adminQuery, cleanups, databaseUrl, deleteRedisKeys, tempDir, withClient } from './throwaway';

/**
 * The real Gatehouse for the benches, as the e2e harness runs it: its own throwaway database
 * (every migration applied), Redis prefix and VAR_DIR, all removed by `runCleanups` (runner.ts).
 */

/** The password of every developer the benches create. */
export const BENCH_PASSWORD = 'a long and uncommon passphrase 42';

export interface ThrowawayDatabase {
  /** The database's name on the server. */
  name: string;
  url: string;
  /** The Redis key prefix of the same run. */
  redisPrefix: string;
  /** The random part both names share. */
  suffix: string;
}

/**
 * CREATE DATABASE `gatehouse_bench_<suffix>` and run every migration; pick the Redis prefix
 * `gatehouse-bench-[<label>-]<suffix>`. Dropping the database and deleting the keys are registered
 * as cleanups at once, so a bench that fails half-way leaves nothing behind.
 */
export async function createThrowawayDatabase(label?: string): Promise<ThrowawayDatabase> {
  const suffix = randomBytes(5).toString('hex');
  const name = `gatehouse_bench_${suffix}`;
  const redisPrefix = `gatehouse-bench-${label ? `${label}-` : ''}${suffix}`;
  const url = databaseUrl(name);

  await adminQuery(`CREATE DATABASE "${name}"`);
  cleanups.unshift({
    what: `drop database ${name}`,
    run: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  });
  cleanups.unshift({
    what: `delete Redis keys ${redisPrefix}:*`,
    run: async () =>
      process.stderr.write(`cleanup: deleted ${await deleteRedisKeys(redisPrefix)} Redis keys under ${redisPrefix}:\n`),
  });

  const dataSource = await createDataSource(url, {
    poolSize: 2,
    applicationName: 'gatehouse-bench-migrate',
  }).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return { name, url, redisPrefix, suffix };
}

export interface GatehouseOptions {
  /** GATEHOUSE_ROLE: `api` (HTTP only) or `all` (with the BullMQ workers, relays and schedulers). */
  role: 'api' | 'all';
  /** More configuration (RATE_LIMIT_PER_MINUTE, MASTER_KEY, SMTP_URL, …); undefined values are left out. */
  env?: Record<string, string | undefined>;
  /** A database prepared beforehand (e.g. filled with data); default: a new migrated one. */
  database?: ThrowawayDatabase;
  /** Goes into the Redis prefix and temp dir names, to tell runs apart. */
  label?: string;
  /** Bench-only Nest modules mounted beside the real ones (a baseline route served by the same stack). */
  modules?: Type[];
}

export interface GatehouseUnderTest {
  app: NestExpressApplication;
  config: AppConfig;
  database: ThrowawayDatabase;
  varDir: string;
}

export type ListeningGatehouse = GatehouseUnderTest & RunningApp;

/** Gatehouse listening on a free port of 127.0.0.1, as a client reaches it. */
export async function startGatehouse(options: GatehouseOptions): Promise<ListeningGatehouse> {
  const gatehouse = await createGatehouse(options);
  const { app } = gatehouse;
  await app.listen(0, '127.0.0.1');
  assertWorkersComplete(app, gatehouse.config);
  const { port } = app.getHttpServer().address() as { port: number };
  return { ...gatehouse, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Gatehouse initialised (its workers running, for role `all`) but not listening: for benches that call services. */
export async function initGatehouse(options: GatehouseOptions): Promise<GatehouseUnderTest> {
  const gatehouse = await createGatehouse(options);
  await gatehouse.app.init();
  assertWorkersComplete(gatehouse.app, gatehouse.config);
  return gatehouse;
}

async function createGatehouse(options: GatehouseOptions): Promise<GatehouseUnderTest> {
  const database = options.database ?? (await createThrowawayDatabase(options.label));
  // Like the e2e harness: a throwaway VAR_DIR so nothing (CA, local documents) lands in the working tree.
  const varDir = tempDir(options.label);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ROLE: options.role,
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    REDIS_URL,
    REDIS_PREFIX: database.redisPrefix,
    VAR_DIR: varDir,
    ...options.env,
  });
  const app = await createHttpApp(config, options.modules);
  cleanups.unshift({ what: 'close Gatehouse', run: () => app.close() });
  return { app, config, database, varDir };
}

export interface SignedInDeveloper {
  userId: string;
  email: string;
  token: string;
  /** The JSON body of the login request, for benches that replay it. */
  loginBody: string;
}

/** A verified developer written straight into the database, then signed in over HTTP. */
export async function signedInDeveloper(gatehouse: ListeningGatehouse, label = 'bench'): Promise<SignedInDeveloper> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const userId = await withClient(gatehouse.database.url, async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at)
       VALUES ('developer', $1, $3, 'Bench Developer', $2, now()) RETURNING id`,
      [email, passwordHash, mailboxKey(email)],
    );
    return r.rows[0]!.id;
  });
  const loginBody = JSON.stringify({ email, password: BENCH_PASSWORD });
  const res = await fetch(`${gatehouse.baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: loginBody,
  });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`login answered ${res.status} ${JSON.stringify(body)}`);
  return { userId, email, token: body.accessToken, loginBody };
}
