import 'reflect-metadata';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARGON2_PARAMS, hashPassword, verifyPassword } from '../src/accounts/passwords';
import { mailboxKey } from '../src/accounts/mailbox';
import { createHttpApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrations';
import { RunningApp, startBareNestApp } from './lib/bare-nest-app';
import { LoadResult, LoadSettings, assertClean, loadSettingsFromEnv, mean, measure } from './lib/load';
import { REDIS_URL, adminQuery, cleanups, databaseUrl, deleteRedisKeys, runCleanups, withClient } from './lib/throwaway';

/**
 * Auth benchmark, in one run:
 *
 *  1. authenticated `GET /v1/me` on the real Gatehouse API (bearer token of a verified developer:
 *     session lookup in PostgreSQL, per-token rate-limit counter in Redis, user row, JSON) against
 *     the bare NestJS floor (`GET /health/live` on bench/lib/bare-nest-app.ts), measured
 *     alternately, bare / gatehouse, for 2 rounds;
 *  2. logins per second: raw argon2id verifications on one core (sequential `verifyPassword`,
 *     plus `hashPassword` for reference), and `POST /v1/auth/login` with the right password over
 *     HTTP at 4 connections.
 *
 *   npx ts-node --transpile-only bench/auth.ts
 *
 * Environment (all optional):
 *   BENCH_DURATION, BENCH_CONNECTIONS   /v1/me and bare runs (default 10 s, 50 connections)
 *   BENCH_LOGIN_DURATION                HTTP login run in seconds (default 10)
 *   BENCH_LOGIN_CONNECTIONS             HTTP login connections (default 4)
 *   BENCH_ARGON2_SECONDS                raw hash / verify loops, seconds each (default 5)
 *   TEST_POSTGRES_URL, TEST_REDIS_URL   servers to use (default 127.0.0.1:5432 and :6379)
 */

const ROUNDS = 2;
const RATIO_GOAL = 0.5;
const BARE_ROUTE = '/health/live';
const ME_ROUTE = '/v1/me';
const LOGIN_ROUTE = '/v1/auth/login';
const PASSWORD = 'a long and uncommon passphrase 42';
// The brief asked for 100000000, but EnvDto caps RATE_LIMIT_PER_MINUTE at 1_000_000 (loadConfig
// refuses more). One million a minute is ~16 700 req/s for the one token, far above what is reached.
const RATE_LIMIT_PER_MINUTE = '1000000';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// autocannon with headers and a body (bench/lib/load.ts only sends bare GETs).

interface AutocannonHistogram {
  average: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
}

interface AutocannonResult {
  requests: AutocannonHistogram;
  latency: AutocannonHistogram & { totalCount: number };
  throughput: AutocannonHistogram & { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface AutocannonOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  pipelining: number;
  workers?: number;
}

const autocannon = createRequire(__filename)('autocannon') as (options: AutocannonOptions) => PromiseLike<AutocannonResult>;

interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

async function runRequestLoad(request: LoadRequest, settings: { durationSeconds: number; connections: number; pipelining: number }): Promise<LoadResult> {
  const r = await autocannon({
    ...request,
    connections: settings.connections,
    duration: settings.durationSeconds,
    pipelining: settings.pipelining,
    // In a worker thread, so the load generator does not share the servers' event loop.
    workers: 1,
  });
  const total = r.latency.totalCount;
  return {
    url: request.url,
    requestsPerSecond: r.requests.average,
    latencyMs: { average: r.latency.average, p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    totalRequests: total,
    bytesPerResponse: total > 0 ? r.throughput.total / total : 0,
    durationSeconds: r.duration,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

/** Warm-up (discarded), then the measured run; throws if either saw errors or non-2xx answers. */
async function measureRequest(request: LoadRequest, settings: LoadSettings, label: string): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) {
    assertClean(await runRequestLoad(request, { ...settings, durationSeconds: settings.warmupSeconds }), `${label} (warm-up)`);
  }
  const result = await runRequestLoad(request, settings);
  assertClean(result, label);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Throwaway database, Redis prefix and VAR_DIR, as in bench/http-baseline.ts.


interface GatehouseUnderTest extends RunningApp {
  database: string;
  redisPrefix: string;
}

async function startGatehouse(): Promise<GatehouseUnderTest> {
  const suffix = randomBytes(5).toString('hex');
  const database = `gatehouse_bench_${suffix}`;
  const redisPrefix = `gatehouse-bench-${suffix}`;

  await adminQuery(`CREATE DATABASE "${database}"`);
  cleanups.unshift({ what: `drop database ${database}`, run: () => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`) });
  cleanups.unshift({
    what: `delete Redis keys ${redisPrefix}:*`,
    run: async () => process.stderr.write(`cleanup: deleted ${await deleteRedisKeys(redisPrefix)} Redis keys under ${redisPrefix}:\n`),
  });

  const dataSource = await createDataSource(databaseUrl(database), { poolSize: 2, applicationName: 'gatehouse-bench-migrate' }).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }

  const varDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  cleanups.unshift({ what: `remove ${varDir}`, run: async () => rmSync(varDir, { recursive: true, force: true }) });

  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEHOUSE_ROLE: 'api',
    DATABASE_URL: databaseUrl(database),
    MIGRATE_ON_START: 'false',
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    VAR_DIR: varDir,
    RATE_LIMIT_PER_MINUTE,
  });
  const app: NestExpressApplication = await createHttpApp(config);
  cleanups.unshift({ what: 'close Gatehouse', run: () => app.close() });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close(), database, redisPrefix };
}

async function startBare(): Promise<RunningApp> {
  const bare = await startBareNestApp();
  cleanups.unshift({ what: 'close bare app', run: () => bare.close() });
  return bare;
}

/** A verified developer written straight into the database, then signed in over HTTP. */
async function developerToken(gatehouse: GatehouseUnderTest): Promise<{ email: string; token: string; loginBody: string }> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const passwordHash = await hashPassword(PASSWORD);
  await withClient(databaseUrl(gatehouse.database), (c) =>
    c.query(
      `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at)
       VALUES ('developer', $1, $3, 'Bench Developer', $2, now())`,
      [email, passwordHash, mailboxKey(email)],
    ),
  );
  const loginBody = JSON.stringify({ email, password: PASSWORD });
  const res = await fetch(`${gatehouse.baseUrl}${LOGIN_ROUTE}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`login answered ${res.status} ${JSON.stringify(body)}`);

  const me = await fetch(`${gatehouse.baseUrl}${ME_ROUTE}`, { headers: { authorization: `Bearer ${body.accessToken}` } });
  const meBody = (await me.json()) as { email?: string; kind?: string; emailVerified?: boolean };
  if (me.status !== 200 || meBody.email !== email || meBody.kind !== 'developer' || meBody.emailVerified !== true) {
    throw new Error(`GET ${ME_ROUTE} answered ${me.status} ${JSON.stringify(meBody)}`);
  }
  return { email, token: body.accessToken, loginBody };
}

async function checkBare(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}${BARE_ROUTE}`);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"status":"ok"}') throw new Error(`bare: GET ${BARE_ROUTE} answered ${res.status} ${body}`);
}

// ---------------------------------------------------------------------------------------------
// Raw argon2id: one operation at a time, so one libuv thread, so one core.

interface Throughput {
  operations: number;
  seconds: number;
  perSecond: number;
  meanMs: number;
}

async function sequentially(seconds: number, op: () => Promise<unknown>): Promise<Throughput> {
  const started = process.hrtime.bigint();
  const until = started + BigInt(seconds) * 1_000_000_000n;
  let operations = 0;
  let now = started;
  while (now < until) {
    await op();
    operations++;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - started) / 1e9;
  return { operations, seconds: elapsed, perSecond: operations / elapsed, meanMs: (elapsed * 1000) / operations };
}

async function argon2Throughput(seconds: number): Promise<{ hash: Throughput; verify: Throughput }> {
  const stored = await hashPassword(PASSWORD);
  // Warm-up: a few of each, discarded.
  for (let i = 0; i < 3; i++) {
    await hashPassword(PASSWORD);
    if (!(await verifyPassword(stored, PASSWORD))) throw new Error('verifyPassword refused the right password');
  }
  const verify = await sequentially(seconds, async () => {
    if (!(await verifyPassword(stored, PASSWORD))) throw new Error('verifyPassword refused the right password');
  });
  const hash = await sequentially(seconds, () => hashPassword(PASSWORD));
  return { hash, verify };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Summary {
  label: string;
  rounds: LoadResult[];
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
}

function summarise(label: string, rounds: LoadResult[]): Summary {
  return {
    label,
    rounds,
    rps: mean(rounds.map((r) => r.requestsPerSecond)),
    p50: mean(rounds.map((r) => r.latencyMs.p50)),
    p97_5: mean(rounds.map((r) => r.latencyMs.p97_5)),
    p99: mean(rounds.map((r) => r.latencyMs.p99)),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function report(
  settings: LoadSettings,
  bare: Summary,
  me: Summary,
  argon2: { hash: Throughput; verify: Throughput },
  login: LoadResult,
  loginSettings: LoadSettings,
): string {
  const ratio = me.rps / bare.rps;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Auth bench: node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push(
    `argon2id: memoryCost ${ARGON2_PARAMS.memoryCost} KiB, timeCost ${ARGON2_PARAMS.timeCost}, parallelism ${ARGON2_PARAMS.parallelism}`,
  );
  lines.push('');
  lines.push(
    `1. GET ${ME_ROUTE} (bearer) vs bare GET ${BARE_ROUTE}: ${settings.connections} connections, pipelining ${settings.pipelining}, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured, ${ROUNDS} alternating rounds`,
  );
  lines.push(
    table([
      ['app', 'req/s (mean)', 'p50 ms', 'p97.5 ms', 'p99 ms', 'rounds req/s'],
      ...[bare, me].map((s) => [
        s.label,
        fmt(s.rps),
        fmt(s.p50, 1),
        fmt(s.p97_5, 1),
        fmt(s.p99, 1),
        s.rounds.map((r) => fmt(r.requestsPerSecond)).join(' / '),
      ]),
    ]),
  );
  lines.push(`ratio /v1/me / bare (req/s): ${fmt(ratio, 3)} (goal >= ${RATIO_GOAL}: ${ratio >= RATIO_GOAL ? 'met' : 'NOT met'})`);
  lines.push('');
  lines.push('2. logins');
  lines.push(
    `   raw argon2id, one at a time (one core): ${fmt(argon2.verify.perSecond, 1)} verifications/s ` +
      `(${argon2.verify.operations} in ${fmt(argon2.verify.seconds, 1)} s, ${fmt(argon2.verify.meanMs, 1)} ms each); ` +
      `${fmt(argon2.hash.perSecond, 1)} hashes/s (${fmt(argon2.hash.meanMs, 1)} ms each)`,
  );
  lines.push(
    `   POST ${LOGIN_ROUTE} (right password), ${loginSettings.connections} connections, ${loginSettings.warmupSeconds} s warm-up + ` +
      `${loginSettings.durationSeconds} s: ${fmt(login.requestsPerSecond, 1)} logins/s ` +
      `(${login.totalRequests} logins, p50 ${login.latencyMs.p50} ms, p99 ${login.latencyMs.p99} ms)`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = loadSettingsFromEnv();
  const loginSettings: LoadSettings = {
    ...settings,
    durationSeconds: positiveInteger('BENCH_LOGIN_DURATION', 10),
    connections: positiveInteger('BENCH_LOGIN_CONNECTIONS', 4),
  };
  const argon2Seconds = positiveInteger('BENCH_ARGON2_SECONDS', 5);

  const bare = await startBare();
  const gatehouse = await startGatehouse();
  await checkBare(bare.baseUrl);
  const dev = await developerToken(gatehouse);
  const meRequest: LoadRequest = { url: `${gatehouse.baseUrl}${ME_ROUTE}`, method: 'GET', headers: { authorization: `Bearer ${dev.token}` } };

  const results: { bare: LoadResult[]; me: LoadResult[] } = { bare: [], me: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    process.stderr.write(`round ${round}/${ROUNDS}: bare ...`);
    const b = await measure(`${bare.baseUrl}${BARE_ROUTE}`, settings, `bare round ${round}`);
    results.bare.push(b);
    process.stderr.write(` ${fmt(b.requestsPerSecond)} req/s, p50 ${b.latencyMs.p50} ms, p99 ${b.latencyMs.p99} ms\n`);
    process.stderr.write(`round ${round}/${ROUNDS}: gatehouse ${ME_ROUTE} ...`);
    const m = await measureRequest(meRequest, settings, `${ME_ROUTE} round ${round}`);
    results.me.push(m);
    process.stderr.write(` ${fmt(m.requestsPerSecond)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms\n`);
  }

  process.stderr.write(`argon2id: ${argon2Seconds} s of verifications, then ${argon2Seconds} s of hashes, one at a time ...`);
  const argon2 = await argon2Throughput(argon2Seconds);
  process.stderr.write(` ${fmt(argon2.verify.perSecond, 1)} verifications/s, ${fmt(argon2.hash.perSecond, 1)} hashes/s\n`);

  process.stderr.write(`POST ${LOGIN_ROUTE} at ${loginSettings.connections} connections ...`);
  const login = await measureRequest(
    { url: `${gatehouse.baseUrl}${LOGIN_ROUTE}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: dev.loginBody },
    loginSettings,
    'login',
  );
  process.stderr.write(` ${fmt(login.requestsPerSecond, 1)} logins/s\n`);
  // autocannon drops its sockets at the deadline while the server may still be inside a login's
  // transaction; let those finish before the cleanup closes the pool under them.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  process.stdout.write(`${report(settings, summarise('bare /health/live', results.bare), summarise('gatehouse /v1/me', results.me), argon2, login, loginSettings)}\n`);
}

if (require.main === module) {
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    process.stderr.write('\ninterrupted: cleaning up\n');
    void runCleanups().finally(() => process.exit(130));
  });
  main()
    .then(
      () => 0,
      (e: unknown) => {
        process.stderr.write(`auth bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        return 1;
      },
    )
    .then(async (code) => {
      if (interrupted) return;
      const cleaned = await runCleanups();
      // Exit explicitly: a benchmark must not hang on a straggling socket or timer.
      process.exit(code === 0 && cleaned ? 0 : 1);
    });
}
