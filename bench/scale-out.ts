import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort } from '../test/harness/processes';
import { SEED, fixture } from './data-api';
import { positiveInteger } from './lib/env';
import { FleetProcess, buildIfNeeded, spawnBuilt, stop, waitReady } from './lib/fleet';
import { createThrowawayDatabase, startGatehouse } from './lib/gatehouse';
import { LoadRequest, LoadResult, LoadSettings, assertClean, loadSettingsFromEnv, mean, runLoad } from './lib/load';
import { runBench } from './lib/runner';
import { table } from './lib/stats';
import { POSTGRES_URL, REDIS_URL, cleanups, tempDir, withClient } from './lib/throwaway';

/**
 * Scale-out (issue #19): the same routes served by one API process and by two, in one run, on
 * one PostgreSQL and one Redis:
 *
 *  - data API: GET /sandbox/v1/accounts/:id/transactions?limit=50 with an OAuth access token
 *    (bench/data-api.ts's fixture: 2,000 transactions, a consent with no restriction);
 *  - decision point: POST /v1/consent-decisions {clientId, customerId, scope, resource: {accountId}}
 *    (the gateway's form, answered from each process's replica of active consents).
 *
 * Two API processes of the built app (`node dist/src/main.js`, role api) run throughout. "1
 * process" sends every connection to the first; "2 processes" splits the same number of
 * connections between both (autocannon in a worker thread per process, started together; req/s
 * summed). The two are measured alternately for BENCH_ROUNDS rounds per route, after a warm-up.
 * The CPU each Gatehouse process and the load generator used during each run is read from
 * /proc and process.cpuUsage(), against the machine's cores, to show what limits the ratio.
 *
 *   npx ts-node --transpile-only bench/scale-out.ts
 *
 * Environment (all optional): BENCH_DURATION (10 s), BENCH_CONNECTIONS (50, in all),
 * BENCH_ROUNDS (2), TEST_POSTGRES_URL, TEST_REDIS_URL.
 */

const GATEWAY_API_KEY = `bench-gateway-${randomBytes(16).toString('hex')}`;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const cores = () => readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 1;

/** The machine's busy and total CPU time so far, from the first line of /proc/stat (jiffies). */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  const idle = n[3]! + n[4]!; // idle + iowait
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds of the PostgreSQL backends serving `database` (same machine), by pid. */
async function backendSeconds(database: string): Promise<Map<number, number>> {
  const rows = await withClient(POSTGRES_URL, (c) =>
    c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]),
  );
  const seconds = new Map<number, number>();
  for (const { pid } of rows.rows) {
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // gone, or not on this machine
    }
  }
  return seconds;
}

function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? s);
  return sum;
}

interface Run {
  rps: number;
  p99: number;
  /** CPU used during the run, in cores (CPU seconds / wall seconds): each API process, the load generator. */
  apiCores: number[];
  loadCores: number;
  /** PostgreSQL backends of the bench's database, in cores. */
  postgresCores: number;
  /** The whole machine's busy cores (every process, other users' included). */
  machineCores: number;
}

/** One measured run: `connections` split over `targets` (one autocannon each, together). */
async function measureOn(
  database: string,
  processes: FleetProcess[],
  request: (baseUrl: string) => LoadRequest,
  settings: LoadSettings,
  targets: number,
  label: string,
): Promise<Run> {
  const share = Math.floor(settings.connections / targets);
  const runAll = (durationSeconds: number) =>
    Promise.all(
      processes
        .slice(0, targets)
        .map((p) => runLoad(request(p.url!), { ...settings, durationSeconds, connections: share })),
    );
  if (settings.warmupSeconds > 0)
    (await runAll(settings.warmupSeconds)).forEach((r) => assertClean(r, `${label} warm-up`));
  const before = processes.map((p) => cpuSeconds(p.child.pid!));
  const pg0 = await backendSeconds(database);
  const machine0 = machineTicks();
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  const results: LoadResult[] = await runAll(settings.durationSeconds);
  const wall = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const machine1 = machineTicks();
  const pg1 = await backendSeconds(database);
  results.forEach((r) => assertClean(r, label));
  return {
    rps: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p99: Math.max(...results.map((r) => r.latencyMs.p99)),
    apiCores: processes.map((p, i) => (cpuSeconds(p.child.pid!) - before[i]!) / wall),
    loadCores: (load.user + load.system) / 1e6 / wall,
    postgresCores: backendDelta(pg0, pg1) / wall,
    machineCores: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * cores(),
  };
}

async function main(): Promise<void> {
  buildIfNeeded();
  const settings = loadSettingsFromEnv();
  const rounds = positiveInteger('BENCH_ROUNDS', 2);
  const database = await createThrowawayDatabase('scale-out');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    REDIS_URL,
    REDIS_PREFIX: database.redisPrefix,
    SANDBOX_SEED: SEED,
    SANDBOX_CUSTOMERS: '1',
    RATE_LIMIT_PER_MINUTE: '1000000',
    GATEWAY_API_KEY,
  };
  // The fixture is written by an in-process Gatehouse (its ConsentsService grants the consents).
  const setup = await startGatehouse({ role: 'api', database, label: 'scale-out', env });
  const f = await fixture(setup, positiveInteger('BENCH_TRANSACTIONS', 2000));
  await setup.close();
  // The gateway's form of a decision: the app's client id and the customer's `sub` (answered from the replica).
  const subject = await withClient(
    database.url,
    async (c) =>
      (
        await c.query<{ clientId: string; customerId: string }>(
          `SELECT a.sandbox_client_id AS "clientId", u.sub AS "customerId"
           FROM consents k JOIN apps a ON a.id = k.app_id JOIN customers u ON u.id = k.customer_id WHERE k.id = $1`,
          [f.allowAllConsent],
        )
      ).rows[0]!,
  );

  const varDir = tempDir('scale-out');
  const processes: FleetProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const p = spawnBuilt(`api-${i + 1}`, 'api', { ...env, VAR_DIR: varDir }, await freePort());
    cleanups.unshift({ what: `stop ${p.name}`, run: () => stop(p) });
    processes.push(p);
    await waitReady(p);
  }

  const routes = [
    {
      label: 'data API transactions',
      request: (base: string): LoadRequest => ({
        url: `${base}/sandbox/v1/accounts/${f.accountId}/transactions?limit=50`,
        method: 'GET',
        headers: { authorization: `Bearer ${f.allowAllToken}` },
      }),
    },
    {
      label: 'decision point',
      request: (base: string): LoadRequest => ({
        url: `${base}/v1/consent-decisions`,
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...subject, scope: 'transactions:read', resource: { accountId: f.accountId } }),
      }),
    },
  ];
  for (const route of routes) {
    for (const p of processes) {
      const res = await fetch(route.request(p.url!).url, route.request(p.url!));
      const body = await res.text();
      if (res.status !== 200 || body.includes('"allow":false'))
        throw new Error(`${route.label}: ${res.status} ${body}`);
    }
  }

  const results = new Map<string, Run[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const route of routes) {
      for (const targets of [1, 2]) {
        const key = `${route.label}|${targets}`;
        process.stderr.write(`round ${round}/${rounds}: ${route.label}, ${targets} process(es) ...`);
        const run = await measureOn(database.name, processes, route.request, settings, targets, key);
        process.stderr.write(
          ` ${run.rps.toFixed(0)} req/s, p99 ${run.p99} ms, API cores ${run.apiCores.map((c) => c.toFixed(2)).join('+')}, ` +
            `load generator ${run.loadCores.toFixed(2)}, PostgreSQL ${run.postgresCores.toFixed(2)}, ` +
            `machine busy ${run.machineCores.toFixed(2)}\n`,
        );
        results.set(key, [...(results.get(key) ?? []), run]);
      }
    }
  }

  const rows = routes.map((route) => {
    const one = results.get(`${route.label}|1`)!;
    const two = results.get(`${route.label}|2`)!;
    const used = (runs: Run[]) =>
      [
        mean(runs.map((r) => r.apiCores.reduce((a, b) => a + b, 0))),
        mean(runs.map((r) => r.postgresCores)),
        mean(runs.map((r) => r.loadCores)),
        mean(runs.map((r) => r.machineCores)),
      ]
        .map((c) => c.toFixed(2))
        .join(' / ');
    return [
      route.label,
      mean(one.map((r) => r.rps)).toFixed(0),
      mean(two.map((r) => r.rps)).toFixed(0),
      (mean(two.map((r) => r.rps)) / mean(one.map((r) => r.rps))).toFixed(2),
      `${mean(one.map((r) => r.p99)).toFixed(0)} / ${mean(two.map((r) => r.p99)).toFixed(0)}`,
      used(one),
      used(two),
    ];
  });
  const lines = [
    '',
    `Scale-out: 1 vs 2 API processes (node dist/src/main.js, role api), ${settings.connections} connections in all, ` +
      `${settings.durationSeconds} s runs, ${rounds} rounds alternating; ${cores()} cores on this machine`,
    '',
    table([
      [
        'route',
        '1 process req/s',
        '2 processes req/s',
        'ratio 2/1',
        'p99 ms 1 / 2',
        'cores (1): API / PG / load / machine',
        'cores (2): API / PG / load / machine',
      ],
      ...rows,
    ]),
    '',
    'cores: CPU seconds per wall second during the measured runs: the Gatehouse processes, the PostgreSQL backends of',
    "the bench's database, the load generator (this process), and the whole machine busy (other users included).",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) runBench('scale-out bench', main);
