import 'reflect-metadata';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrations';
import { RunningApp, startBareNestApp } from './lib/bare-nest-app';
import { LoadResult, LoadSettings, loadSettingsFromEnv, mean, measure } from './lib/load';
import { REDIS_URL, adminQuery, cleanups, databaseUrl, deleteRedisKeys, runCleanups } from './lib/throwaway';

/**
 * HTTP baseline: GET /health/live on a bare NestJS 11 + express app and on the real Gatehouse API
 * (role `api`, its own throwaway database and Redis prefix), measured alternately.
 *
 *   npx ts-node --transpile-only bench/http-baseline.ts
 *
 * BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) override the load.
 */

export { measureBareBaseline } from './lib/bare-nest-app';

const ROUNDS = 2;
const ROUTE = '/health/live';

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

  // Like the e2e harness: a throwaway VAR_DIR so nothing lands in the working tree.
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

/** Both apps must answer the route identically before their numbers mean anything. */
async function checkRoute(label: string, baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}${ROUTE}`);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"status":"ok"}') throw new Error(`${label}: GET ${ROUTE} answered ${res.status} ${body}`);
}

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

function report(settings: LoadSettings, bare: Summary, gatehouse: Summary): string {
  const lines: string[] = [];
  lines.push('');
  lines.push(`HTTP baseline: GET ${ROUTE}, ${settings.connections} connections, pipelining ${settings.pipelining}, ` +
    `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured, ${ROUNDS} alternating rounds`);
  lines.push(`node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push('');
  lines.push(
    table([
      ['app', 'req/s (mean)', 'p50 ms', 'p97.5 ms', 'p99 ms', 'rounds req/s'],
      ...[bare, gatehouse].map((s) => [
        s.label,
        fmt(s.rps),
        fmt(s.p50, 1),
        fmt(s.p97_5, 1),
        fmt(s.p99, 1),
        s.rounds.map((r) => fmt(r.requestsPerSecond)).join(' / '),
      ]),
    ]),
  );
  lines.push('');
  lines.push(`ratio gatehouse/bare (req/s): ${fmt(gatehouse.rps / bare.rps, 3)}`);
  lines.push(
    `response size incl. headers: bare ${fmt(bare.rounds[0].bytesPerResponse)} B, gatehouse ${fmt(gatehouse.rounds[0].bytesPerResponse)} B`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = loadSettingsFromEnv();
  const bare = await startBare();
  const gatehouse = await startGatehouse();
  await checkRoute('bare', bare.baseUrl);
  await checkRoute('gatehouse', gatehouse.baseUrl);

  const results: { bare: LoadResult[]; gatehouse: LoadResult[] } = { bare: [], gatehouse: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [label, target] of [['bare', bare], ['gatehouse', gatehouse]] as const) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${label} ...`);
      const r = await measure(`${target.baseUrl}${ROUTE}`, settings, `${label} round ${round}`);
      results[label].push(r);
      process.stderr.write(` ${fmt(r.requestsPerSecond)} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms\n`);
    }
  }

  process.stdout.write(`${report(settings, summarise('bare', results.bare), summarise('gatehouse', results.gatehouse))}\n`);
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
        process.stderr.write(`http-baseline failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
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
