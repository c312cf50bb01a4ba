import 'reflect-metadata';
import { cpus } from 'node:os';
import { ARGON2_PARAMS, hashPassword, verifyPassword } from '../src/accounts/passwords';
import { assertHealthLive, startBare } from './lib/bare-nest-app';
import { positiveInteger } from './lib/env';
import {
  BENCH_PASSWORD as PASSWORD,
  ListeningGatehouse,
  SignedInDeveloper,
  signedInDeveloper,
  startGatehouse,
} from './lib/gatehouse';
import {
  LoadRequest,
  LoadResult,
  LoadSettings,
  RoundsSummary,
  alternateRounds,
  loadSettingsFromEnv,
  measure,
  roundsTable,
  summariseRounds,
} from './lib/load';
import { runBench } from './lib/runner';

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
// The brief asked for 100000000, but EnvDto caps RATE_LIMIT_PER_MINUTE at 1_000_000 (loadConfig
// refuses more). One million a minute is ~16 700 req/s for the one token, far above what is reached.
const RATE_LIMIT_PER_MINUTE = '1000000';

/** A verified developer signed in over HTTP, whose token `GET /v1/me` accepts. */
async function developerToken(gatehouse: ListeningGatehouse): Promise<SignedInDeveloper> {
  const dev = await signedInDeveloper(gatehouse);
  const me = await fetch(`${gatehouse.baseUrl}${ME_ROUTE}`, { headers: { authorization: `Bearer ${dev.token}` } });
  const meBody = (await me.json()) as { email?: string; kind?: string; emailVerified?: boolean };
  if (me.status !== 200 || meBody.email !== dev.email || meBody.kind !== 'developer' || meBody.emailVerified !== true) {
    throw new Error(`GET ${ME_ROUTE} answered ${me.status} ${JSON.stringify(meBody)}`);
  }
  return dev;
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

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function report(
  settings: LoadSettings,
  bare: RoundsSummary,
  me: RoundsSummary,
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
  lines.push(roundsTable([bare, me]));
  lines.push(
    `ratio /v1/me / bare (req/s): ${fmt(ratio, 3)} (goal >= ${RATIO_GOAL}: ${ratio >= RATIO_GOAL ? 'met' : 'NOT met'})`,
  );
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
  const gatehouse = await startGatehouse({ role: 'api', env: { RATE_LIMIT_PER_MINUTE } });
  await assertHealthLive('bare', bare.baseUrl);
  const dev = await developerToken(gatehouse);
  const meRequest: LoadRequest = {
    url: `${gatehouse.baseUrl}${ME_ROUTE}`,
    method: 'GET',
    headers: { authorization: `Bearer ${dev.token}` },
  };

  const results = await alternateRounds(
    [
      { label: 'bare', target: `${bare.baseUrl}${BARE_ROUTE}` },
      { label: `gatehouse ${ME_ROUTE}`, target: meRequest },
    ],
    settings,
    ROUNDS,
  );

  process.stderr.write(
    `argon2id: ${argon2Seconds} s of verifications, then ${argon2Seconds} s of hashes, one at a time ...`,
  );
  const argon2 = await argon2Throughput(argon2Seconds);
  process.stderr.write(
    ` ${fmt(argon2.verify.perSecond, 1)} verifications/s, ${fmt(argon2.hash.perSecond, 1)} hashes/s\n`,
  );

  process.stderr.write(`POST ${LOGIN_ROUTE} at ${loginSettings.connections} connections ...`);
  const login = await measure(
    {
      url: `${gatehouse.baseUrl}${LOGIN_ROUTE}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: dev.loginBody,
    },
    loginSettings,
    'login',
  );
  process.stderr.write(` ${fmt(login.requestsPerSecond, 1)} logins/s\n`);
  // autocannon drops its sockets at the deadline while the server may still be inside a login's
  // transaction; let those finish before the cleanup closes the pool under them.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  process.stdout.write(
    `${report(settings, summariseRounds('bare /health/live', results.get('bare')!), summariseRounds('gatehouse /v1/me', results.get(`gatehouse ${ME_ROUTE}`)!), argon2, login, loginSettings)}\n`,
  );
}

if (require.main === module) runBench('auth bench', main);
