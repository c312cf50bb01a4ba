import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConsentsService } from '../src/consents/consents.service';
import { ConsentReplica } from '../src/consents/decision/consent-replica';
import type { DecisionResource } from '../src/consents/consent-decision';
import { RunningProcess, freePort, spawnGatehouse } from '../test/harness/processes';
import { nonNegativeInteger, positiveInteger } from './lib/env';
import { ListeningGatehouse, ThrowawayDatabase, createThrowawayDatabase, startGatehouse } from './lib/gatehouse';
import {
  LoadRequest,
  LoadSettings,
  RoundsSummary,
  alternateRounds,
  loadSettingsFromEnv,
  roundsTable,
  summariseRounds,
} from './lib/load';
import { runBench } from './lib/runner';
import { nowMs } from './lib/smtp-recorder';
import { LatencySummary, summarise, table } from './lib/stats';
import { REDIS_URL, cleanups, tempDir, withClient } from './lib/throwaway';

/**
 * The decision point (issue 15), on a throwaway database holding BENCH_CONSENTS active consents
 * (default 1,000,000) seeded with `generate_series` before any Gatehouse process starts:
 *
 *  1. the replica's boot load (`status().loadedInMs`) and its heap (process heap after the load
 *     minus the same app's heap with no consents, both after a full GC);
 *  2. the decision function in process: `ConsentReplica.decideLocal()` timed call by call over
 *     BENCH_DECISIONS requests (90% allowed, 10% denied for a category), p50/p99/max;
 *  3. `POST /v1/consent-decisions` (gateway key, 1,000 different bodies cycled) against the same
 *     app's `GET /health/live`, alternately for 2 rounds with autocannon: req/s ratio and p99s; in
 *     the same rounds, a bare NestJS app's GET and JSON POST (same answer shape, no decision), the
 *     framework's own ratio for comparison;
 *  4. revocation propagation: two API processes spawned from src/main.ts (role api, same database
 *     and Redis prefix) each load the replica; BENCH_REVOCATIONS consents are revoked through
 *     `ConsentsService.revokeForCustomer` (the customer route's path) at BENCH_REVOCATION_RATE per
 *     second, and each process is polled every BENCH_POLL_MS for that consent's decision until it
 *     denies; propagation = the deny's arrival − the revocation's commit; lost = no deny within
 *     BENCH_LOST_MS.
 *
 *   npx ts-node --transpile-only bench/consent-decisions.ts                          # 1,000,000 consents
 *   BENCH_CONSENTS=20000 BENCH_DURATION=3 npx ts-node --transpile-only bench/consent-decisions.ts   # test-sized
 *
 * Environment (all optional): BENCH_CONSENTS (1000000), BENCH_DECISIONS (1000000), BENCH_REVOCATIONS
 * (200), BENCH_REVOCATION_RATE (20 /s), BENCH_POLL_MS (5), BENCH_LOST_MS (5000), BENCH_DURATION /
 * BENCH_CONNECTIONS (10 s, 50), TEST_POSTGRES_URL, TEST_REDIS_URL.
 */

const ROUNDS = 2;
const RATIO_GOAL = 0.8;
const IN_PROCESS_P99_GOAL_MS = 0.2;
const PROPAGATION_MAX_GOAL_MS = 1_000;
const ORGANISATIONS = 10;
const APPS = 20;
const CONSENTS_PER_CUSTOMER = 4;
const SCOPES = ['accounts:read', 'balances:read', 'transactions:read'];
export const GATEWAY_API_KEY = `bench-gateway-${randomBytes(16).toString('hex')}`;
const RATE_LIMIT_PER_MINUTE = '1000000';
const DECISION_ROUTE = '/v1/consent-decisions';
const HEALTH_ROUTE = '/health/live';
const HTTP_BODIES = 1_000;

// ---------------------------------------------------------------------------------------------
// The data set. Consent j (0-based) belongs to customer floor(j / 4) and app (customer + j % 4) % 20,
// so a customer holds at most one consent per app; every fifth is a sandbox consent. Ids are
// md5-derived uuids, computed alike here and in SQL, so the bench knows every consent's pair.

const uuidOf = (text: string): string => {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const customerOf = (j: number) => Math.floor(j / CONSENTS_PER_CUSTOMER);
const appOf = (j: number) => (customerOf(j) + (j % CONSENTS_PER_CUSTOMER)) % APPS;
const isSandbox = (j: number) => j % 5 === 0;
const subOf = (customer: number) => `bench-sub-${customer}`;
const clientIdOf = (j: number) => (isSandbox(j) ? `bench-sandbox-${appOf(j)}` : `bench-production-${appOf(j)}`);
/** 1–3 accounts; a window on half; categories on a third; a merchant on one in twenty. */
const ACCOUNTS_SQL = `(SELECT array_agg('acc-' || (j / 4) || '-' || k) FROM generate_series(1, 1 + j % 3) k)`;
const WINDOW_FROM_SQL = `CASE WHEN j % 2 = 0 THEN date '2026-01-01' + (j % 90) END`;
const WINDOW_TO_SQL = `CASE WHEN j % 2 = 0 THEN date '2026-01-01' + (j % 90) + 180 END`;
const CATEGORIES_SQL = `CASE WHEN j % 3 = 0 THEN ARRAY['car_finance', 'mortgage'] END`;
const MERCHANTS_SQL = `CASE WHEN j % 20 = 0 THEN ARRAY['tesco', 'octopus energy'] END`;

/**
 * A request consent j allows (its last account, a day inside any window, a granted category) or,
 * with `deny` and a consent restricted to categories, refuses for the category.
 */
function requestFor(
  j: number,
  deny = false,
): { clientId: string; customerId: string; scope: string; resource: DecisionResource } {
  const day = new Date(Date.UTC(2026, 0, 1 + (j % 90) + 30)).toISOString().slice(0, 10);
  const categories = j % 3 === 0;
  return {
    clientId: clientIdOf(j),
    customerId: subOf(customerOf(j)),
    scope: 'transactions:read',
    resource: {
      accountId: `acc-${customerOf(j)}-${1 + (j % 3)}`,
      transactionDate: j % 2 === 0 ? day : '2026-03-05',
      category: categories && !deny ? 'car_finance' : 'groceries',
    },
  };
}
/** Only consents with categories (j % 3 = 0) deny on the category: `pick` draws those for the denied share. */
const pick = (consents: number, deny: boolean) => {
  const j = Math.floor(Math.random() * consents);
  return deny ? j - (j % 3) : j;
};
const expectedReason = (j: number, deny: boolean) => (deny && j % 3 === 0 ? 'category_not_granted' : 'allowed');

export async function seedStanding(database: ThrowawayDatabase): Promise<void> {
  await withClient(database.url, async (c) => {
    const owner = (
      await c.query<{ id: string }>(
        `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at)
         VALUES ('developer', 'bench-consents@example.com', 'bench-consents@example.com', 'Bench Owner', 'not-a-hash', now())
         RETURNING id`,
      )
    ).rows[0]!.id;
    await c.query(
      `INSERT INTO organisations (legal_name, registration_number, country, registered_address, regulatory_status, verification_status, created_by,
                                  risk_level, submitted_at, verification_reasons, requested_items)
       SELECT 'Bench Consents ' || i || ' Ltd', lpad(i::text, 8, '0'), 'GB', '{"line1":"1 A St","city":"York","postcode":"YO1 7HH","country":"GB"}'::jsonb,
              '{"type":"unregulated"}'::jsonb, 'approved', $1, 'low', now(), '[]'::jsonb, '[]'::jsonb
         FROM generate_series(0, $2::int - 1) i`,
      [owner, ORGANISATIONS],
    );
    await c.query(
      `INSERT INTO apps (organisation_id, name, description, redirect_uris, scopes, sandbox_client_id, production_client_id,
                         production_status, granted_scopes, created_by)
       SELECT (SELECT id FROM organisations ORDER BY registration_number OFFSET i % $2 LIMIT 1), 'Bench App ' || i, 'A bench app',
              ARRAY['https://app.example.com/callback'], $3::text[], 'bench-sandbox-' || i, 'bench-production-' || i,
              'approved', $3::text[], $1
         FROM generate_series(0, $4::int - 1) i`,
      [owner, ORGANISATIONS, SCOPES, APPS],
    );
  });
}

export async function seedConsents(database: ThrowawayDatabase, consents: number): Promise<number> {
  const started = performance.now();
  await withClient(database.url, async (c) => {
    const customers = Math.ceil(consents / CONSENTS_PER_CUSTOMER);
    await c.query(
      `INSERT INTO customers (id, sub) SELECT md5('bench-customer-' || i)::uuid, 'bench-sub-' || i FROM generate_series(0, $1::int - 1) i`,
      [customers],
    );
    await c.query(
      `CREATE TEMP TABLE bench_apps AS SELECT row_number() OVER (ORDER BY sandbox_client_id) - 1 AS n, id, sandbox_client_id FROM apps`,
    );
    await c.query(
      `INSERT INTO consents (id, app_id, customer_id, environment, scopes, account_ids, transaction_from, transaction_to,
                             merchants, categories, purpose, expires_at)
       SELECT md5('bench-consent-' || j)::uuid, a.id, md5('bench-customer-' || (j / 4))::uuid,
              CASE WHEN j % 5 = 0 THEN 'sandbox' ELSE 'production' END, $2::text[],
              ${ACCOUNTS_SQL}, ${WINDOW_FROM_SQL}, ${WINDOW_TO_SQL}, ${MERCHANTS_SQL}, ${CATEGORIES_SQL},
              'Budgeting insights', now() + interval '60 days' + make_interval(mins => j % 40000)
         FROM generate_series(0, $1::int - 1) j
         JOIN apps a ON a.sandbox_client_id = 'bench-sandbox-' || ((j / 4 + j % 4) % ${APPS})`,
      [consents, SCOPES],
    );
    await c.query('ANALYZE');
  });
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// Memory

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    for (let i = 0; i < 3; i++) gc();
  };
}

function heapAfterGc(gc: () => void): { heapUsed: number; rss: number } {
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

// ---------------------------------------------------------------------------------------------

export async function untilCurrent(replica: ConsentReplica, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!replica.isCurrent(Date.now())) {
    if (Date.now() > deadline) throw new Error(`replica not current: ${JSON.stringify(replica.status())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface InProcess {
  latency: LatencySummary;
  perSecond: number;
  decisions: number;
  notCurrent: number;
}

/**
 * Times `decideLocal` call by call, in slices of 5,000 with a yield between them (so the
 * heartbeat keeps the replica current). Every answer is checked against the expected reason; a
 * call answered `undefined` (replica not current) is counted, not timed, and taken again once the
 * replica is current.
 */
async function inProcessDecisions(replica: ConsentReplica, consents: number, decisions: number): Promise<InProcess> {
  const samples = 50_000;
  const picks = Array.from({ length: samples }, (_, i) => {
    const deny = i % 10 === 0;
    const j = pick(consents, deny);
    const r = requestFor(j, deny);
    return {
      j,
      deny,
      subject: { clientId: r.clientId, customerId: r.customerId },
      scope: r.scope,
      resource: r.resource,
    };
  });
  const latencies = new Float64Array(decisions);
  let notCurrent = 0;
  let busyNs = 0n;
  // Warm-up, discarded.
  for (let i = 0; i < 20_000; i++) {
    const p = picks[i % samples]!;
    replica.decideLocal(p.subject, p.scope, p.resource, Date.now());
  }
  for (let done = 0; done < decisions;) {
    const end = Math.min(decisions, done + 5_000);
    for (; done < end; done++) {
      const p = picks[done % samples]!;
      const now = Date.now();
      const t0 = process.hrtime.bigint();
      const answer = replica.decideLocal(p.subject, p.scope, p.resource, now);
      const t1 = process.hrtime.bigint();
      busyNs += t1 - t0;
      if (!answer) {
        // Not current (a heartbeat came late): not a decision. Wait until it is, then take this one again.
        notCurrent++;
        busyNs -= t1 - t0;
        break;
      }
      latencies[done] = Number(t1 - t0) / 1e6;
      if (answer.reason !== expectedReason(p.j, p.deny))
        throw new Error(`consent ${p.j}: expected ${expectedReason(p.j, p.deny)}, got ${answer.reason}`);
    }
    await new Promise((r) => setImmediate(r));
    if (!replica.isCurrent(Date.now())) await untilCurrent(replica);
  }
  return {
    latency: summarise(Array.from(latencies)),
    perSecond: decisions / (Number(busyNs) / 1e9),
    decisions,
    notCurrent,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

export const gatewayHeaders = { authorization: `Bearer ${GATEWAY_API_KEY}`, 'content-type': 'application/json' };

interface Answer {
  allow: boolean;
  reason: string;
  consentId: string | null;
}

async function askDecision(baseUrl: string, body: string): Promise<Answer> {
  const res = await fetch(`${baseUrl}${DECISION_ROUTE}`, { method: 'POST', headers: gatewayHeaders, body });
  const answer = (await res.json()) as Answer;
  if (res.status !== 200) throw new Error(`${DECISION_ROUTE} answered ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** 1,000 bodies (90% allowed, 10% denied), each checked once over HTTP before the load. */
export async function decisionBodies(
  baseUrl: string,
  consents: number,
): Promise<{ bodies: string[]; allowed: number }> {
  const bodies: string[] = [];
  let allowed = 0;
  for (let i = 0; i < HTTP_BODIES; i++) {
    const deny = i % 10 === 0;
    const j = pick(consents, deny);
    const body = JSON.stringify(requestFor(j, deny));
    const answer = await askDecision(baseUrl, body);
    const expected = expectedReason(j, deny);
    if (answer.reason !== expected || answer.consentId !== uuidOf(`bench-consent-${j}`))
      throw new Error(`consent ${j}: expected ${expected}, got ${JSON.stringify(answer)}`);
    if (answer.allow) allowed++;
    bodies.push(body);
  }
  return { bodies, allowed };
}

/**
 * The framework's own price of a JSON POST: bare NestJS on platform-express (nothing else) with
 * `GET /health/live` and a `POST /v1/consent-decisions` that parses the body and returns an answer
 * of the same shape without deciding anything. Measured in the same rounds as Gatehouse.
 */
@Controller()
class BareDecisionController {
  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Post('v1/consent-decisions')
  @HttpCode(200)
  decide(@Body() body: { customerId?: string; resource?: { accountId?: string } }) {
    return {
      allow: true,
      reason: 'allowed',
      consentId: '1b0b6f0e-0a56-4a53-9c7c-4b8cf2a0e3a1',
      expiresAt: '2027-01-29T21:00:00.000Z',
      constraints: {
        accountIds: [body.resource?.accountId ?? body.customerId ?? ''],
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        merchants: null,
        categories: ['car_finance', 'mortgage'],
      },
    };
  }
}

@Module({ controllers: [BareDecisionController] })
class BareDecisionModule {}

async function startBareDecisions(): Promise<string> {
  const app = await NestFactory.create<NestExpressApplication>(BareDecisionModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  cleanups.unshift({ what: 'close bare app', run: () => app.close() });
  const { port } = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** Transactions committed in the database so far (`pg_stat_database`, flushed within about a second). */
async function committedTransactions(database: ThrowawayDatabase): Promise<number> {
  await new Promise((r) => setTimeout(r, 1_500));
  return withClient(database.url, async (c) => {
    const r = await c.query<{ n: string }>(`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1`, [
      database.name,
    ]);
    return Number(r.rows[0]!.n);
  });
}

// ---------------------------------------------------------------------------------------------
// Revocation propagation across two API processes

interface ApiProcess {
  run: RunningProcess;
  url: string;
}

async function readyReplica(p: ApiProcess, consents: number, timeoutMs = 300_000): Promise<{ loadedInMs: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.run.child.exitCode !== null) throw new Error(`API process exited: ${p.run.output()}`);
    const body = await fetch(`${p.url}/health/ready`)
      .then(
        (r) =>
          r.json() as Promise<{
            checks?: { consentReplica?: { status: string; consents: number; loadedInMs: number } };
          }>,
      )
      .catch(() => undefined);
    const r = body?.checks?.consentReplica;
    if (r?.status === 'current' && r.consents === consents) return { loadedInMs: r.loadedInMs };
    if (Date.now() > deadline) throw new Error(`API process ${p.url} not current: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function spawnApiProcesses(
  database: ThrowawayDatabase,
  consents: number,
): Promise<{ processes: ApiProcess[]; loadedInMs: number[] }> {
  const processes: ApiProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const run = spawnGatehouse({
      NODE_ENV: 'test',
      GATEHOUSE_ROLE: 'api',
      PORT: String(port),
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'false',
      REDIS_URL,
      REDIS_PREFIX: database.redisPrefix,
      VAR_DIR: tempDir(`consents-api-${i}`),
      LOG_LEVEL: 'warn',
      GATEWAY_API_KEY,
      RATE_LIMIT_PER_MINUTE,
    });
    cleanups.unshift({
      what: `stop API process ${i}`,
      run: async () => {
        if (run.child.exitCode === null) {
          run.child.kill('SIGTERM');
          await run.exited;
        }
      },
    });
    processes.push({ run, url: `http://127.0.0.1:${port}` });
  }
  const loaded = await Promise.all(processes.map((p) => readyReplica(p, consents)));
  return { processes, loadedInMs: loaded.map((l) => l.loadedInMs) };
}

interface Propagation {
  perProcess: LatencySummary[];
  all: LatencySummary;
  lost: number;
  revocations: number;
  polls: number;
  wrongReason: number;
  /** The slowest denials: which revocation (0-based, in issue order), which process. */
  slowest: { k: number; process: number; ms: number }[];
}

async function revocationPropagation(
  gatehouse: ListeningGatehouse,
  processes: ApiProcess[],
  consents: number,
  count: number,
  ratePerSecond: number,
  pollMs: number,
  lostMs: number,
): Promise<Propagation> {
  const service = gatehouse.app.get(ConsentsService);
  const targets = new Set<number>();
  while (targets.size < Math.min(count, consents)) targets.add(Math.floor(Math.random() * consents));
  const bodies = new Map([...targets].map((j) => [j, JSON.stringify(requestFor(j))]));
  // Every target allowed in both processes before it is revoked.
  for (const j of targets)
    for (const p of processes) {
      const answer = await askDecision(p.url, bodies.get(j)!);
      if (!answer.allow) throw new Error(`consent ${j} not allowed before its revocation: ${JSON.stringify(answer)}`);
    }

  interface Pending {
    j: number;
    /** The revocation's place in the run (0-based). */
    k: number;
    process: number;
    committedAt: number;
    inFlight: boolean;
  }
  const pending = new Set<Pending>();
  const propagation: number[][] = processes.map(() => []);
  let lost = 0;
  let polls = 0;
  let wrongReason = 0;
  const slowest: { k: number; process: number; ms: number }[] = [];
  let pollerError: Error | undefined;
  let revoking = true;

  const poller = (async () => {
    while (revoking || pending.size > 0) {
      const now = nowMs();
      for (const entry of pending) {
        if (entry.inFlight) continue;
        if (now - entry.committedAt > lostMs) {
          lost++;
          pending.delete(entry);
          continue;
        }
        entry.inFlight = true;
        polls++;
        askDecision(processes[entry.process]!.url, bodies.get(entry.j)!).then(
          (answer) => {
            const at = nowMs();
            entry.inFlight = false;
            if (answer.allow) return;
            if (answer.reason !== 'revoked') wrongReason++;
            propagation[entry.process]!.push(at - entry.committedAt);
            slowest.push({ k: entry.k, process: entry.process, ms: at - entry.committedAt });
            pending.delete(entry);
          },
          (e: unknown) => {
            pollerError ??= e as Error;
            entry.inFlight = false;
          },
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();

  const started = nowMs();
  let k = 0;
  for (const j of targets) {
    const due = started + (k++ * 1000) / ratePerSecond;
    const wait = due - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await service.revokeForCustomer(uuidOf(`bench-customer-${customerOf(j)}`), uuidOf(`bench-consent-${j}`));
    const committedAt = nowMs();
    for (let p = 0; p < processes.length; p++) pending.add({ j, k: k - 1, process: p, committedAt, inFlight: false });
  }
  revoking = false;
  await poller;
  if (pollerError) throw pollerError;
  return {
    perProcess: propagation.map((samples) => summarise(samples)),
    all: summarise(propagation.flat()),
    lost,
    revocations: targets.size,
    polls,
    wrongReason,
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 6),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const mb = (bytes: number) => bytes / 1024 / 1024;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

interface Figures {
  consents: number;
  seedMs: number;
  loadedInMs: number;
  spawnedLoadedInMs: number[];
  emptyHeap: number;
  fullHeap: number;
  rssBefore: number;
  rssAfter: number;
  inProcess: InProcess;
  settings: LoadSettings;
  health: RoundsSummary;
  decision: RoundsSummary;
  bareHealth: RoundsSummary;
  bareDecision: RoundsSummary;
  allowedShare: number;
  httpRounds: { transactions: number; seconds: number; notCurrent: boolean };
  propagation: Propagation;
  revocationRate: number;
  pollMs: number;
  lostMs: number;
}

/** Main-thread CPU µs per request over a target's rounds (see LoadResult.mainThreadCpuMs). */
function cpuPerRequest(s: RoundsSummary): number {
  const cpuMs = s.rounds.reduce((a, r) => a + r.mainThreadCpuMs, 0);
  const requests = s.rounds.reduce((a, r) => a + r.totalRequests, 0);
  return (cpuMs * 1000) / requests;
}

function report(f: Figures): string {
  const replicaBytes = f.fullHeap - f.emptyHeap;
  const ratio = f.decision.rps / f.health.rps;
  const p = f.propagation;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Consent decisions bench: node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push(`${f.consents.toLocaleString('en-GB')} active consents stored (seeded in ${fmt(f.seedMs / 1000, 1)} s)`);
  lines.push('');
  lines.push(
    `1. replica boot load: ${f.loadedInMs} ms in this process; spawned API processes ${f.spawnedLoadedInMs.join(' ms, ')} ms`,
  );
  lines.push(
    `   replica heap: ${fmt(mb(replicaBytes), 1)} MB (${fmt(mb(f.fullHeap), 1)} MB loaded − ${fmt(mb(f.emptyHeap), 1)} MB with no consents, after GC)` +
      ` = ${fmt(mb((replicaBytes * 1_000_000) / f.consents), 0)} MB per 1M consents, ${fmt(replicaBytes / f.consents, 0)} B per consent;` +
      ` RSS ${fmt(mb(f.rssBefore), 0)} → ${fmt(mb(f.rssAfter), 0)} MB`,
  );
  lines.push('');
  const l = f.inProcess.latency;
  lines.push(
    `2. decideLocal in process, ${f.inProcess.decisions.toLocaleString('en-GB')} decisions (90% allowed): ` +
      `p50 ${fmt(l.p50 * 1000, 2)} µs, p99 ${fmt(l.p99 * 1000, 2)} µs, max ${fmt(l.max, 3)} ms; ` +
      `${fmt(f.inProcess.perSecond / 1000, 0)}k decisions/s on one thread; answered undefined (not current, retried): ${f.inProcess.notCurrent}`,
  );
  lines.push(
    `   p99 ${fmt(l.p99, 4)} ms (goal ≤ ${IN_PROCESS_P99_GOAL_MS} ms: ${verdict(l.p99 <= IN_PROCESS_P99_GOAL_MS)})`,
  );
  lines.push('');
  lines.push(
    `3. POST ${DECISION_ROUTE} (${HTTP_BODIES} bodies, ${fmt(f.allowedShare * 100, 0)}% allowed) vs GET ${HEALTH_ROUTE}, same app: ` +
      `${f.settings.connections} connections, ${f.settings.warmupSeconds} s warm-up + ${f.settings.durationSeconds} s, ${ROUNDS} alternating rounds`,
  );
  lines.push(roundsTable([f.health, f.decision, f.bareHealth, f.bareDecision]));
  lines.push(
    `   ratio decisions / health (req/s): ${fmt(ratio, 3)} (goal ≥ ${RATIO_GOAL}: ${verdict(ratio >= RATIO_GOAL)})`,
  );
  lines.push(
    `   PostgreSQL transactions committed during the rounds: ${f.httpRounds.transactions} in ${fmt(f.httpRounds.seconds, 0)} s ` +
      `(heartbeats alone ~${fmt(f.httpRounds.seconds * 4, 0)}); replica current after: ${!f.httpRounds.notCurrent}`,
  );
  lines.push(
    `   for reference, bare NestJS JSON POST / GET in the same rounds: ${fmt(f.bareDecision.rps / f.bareHealth.rps, 3)}`,
  );
  const healthCpu = cpuPerRequest(f.health);
  const decisionCpu = cpuPerRequest(f.decision);
  lines.push(
    `   server main-thread CPU per request (load generator apart, in its worker thread): GET ${HEALTH_ROUTE} ` +
      `${fmt(healthCpu, 1)} µs, POST ${DECISION_ROUTE} ${fmt(decisionCpu, 1)} µs; ` +
      `bare GET ${fmt(cpuPerRequest(f.bareHealth), 1)} µs, bare POST ${fmt(cpuPerRequest(f.bareDecision), 1)} µs; ` +
      `requests per CPU-second, decisions / health: ${fmt(healthCpu / decisionCpu, 3)}`,
  );
  lines.push('');
  lines.push(
    `4. revocation propagation, 2 API processes: ${p.revocations} revocations at ${f.revocationRate}/s, polled every ${f.pollMs} ms, ` +
      `lost after ${f.lostMs} ms; ${p.polls} polls`,
  );
  const row = (label: string, s: LatencySummary) => [
    label,
    String(s.count),
    fmt(s.p50, 1),
    fmt(s.p99, 1),
    fmt(s.max, 1),
  ];
  lines.push(
    table([
      ['process', 'denied', 'p50 ms', 'p99 ms', 'max ms'],
      ...p.perProcess.map((s, i) => row(`api ${i + 1}`, s)),
      row('both', p.all),
    ]),
  );
  lines.push(
    `   lost: ${p.lost}; denials not 'revoked': ${p.wrongReason}; max ${fmt(p.all.max, 1)} ms ` +
      `(goal max ≤ ${PROPAGATION_MAX_GOAL_MS} ms, none lost: ${verdict(p.all.max <= PROPAGATION_MAX_GOAL_MS && p.lost === 0 && p.wrongReason === 0)})`,
  );
  lines.push(
    `   slowest (revocation #, process): ${p.slowest.map((s) => `#${s.k} api ${s.process + 1} ${fmt(s.ms, 0)} ms`).join(', ')}`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const consents = positiveInteger('BENCH_CONSENTS', 1_000_000);
  const decisions = positiveInteger('BENCH_DECISIONS', 1_000_000);
  const revocations = positiveInteger('BENCH_REVOCATIONS', 200);
  const revocationRate = positiveInteger('BENCH_REVOCATION_RATE', 20);
  const pollMs = nonNegativeInteger('BENCH_POLL_MS', 5);
  const lostMs = positiveInteger('BENCH_LOST_MS', 5_000);
  const settings = loadSettingsFromEnv();
  const gc = exposeGc();
  const env = { GATEWAY_API_KEY, RATE_LIMIT_PER_MINUTE };

  const database = await createThrowawayDatabase('consents');
  await seedStanding(database);

  // The same app with no consents: its heap is the baseline the replica's is measured from.
  process.stderr.write('app with no consents (heap baseline) ...');
  const empty = await startGatehouse({ role: 'api', database, env, label: 'consents-empty' });
  const emptyReplica = empty.app.get(ConsentReplica);
  await emptyReplica.whenLoaded();
  await untilCurrent(emptyReplica);
  const emptyBefore = heapAfterGc(gc);
  await empty.close();
  // Its 'close Gatehouse' cleanup (the newest): closed already.
  if (cleanups[0]?.what === 'close Gatehouse') cleanups.shift();
  const rssBefore = heapAfterGc(gc).rss;
  process.stderr.write(` ${fmt(mb(emptyBefore.heapUsed), 1)} MB heap\n`);

  process.stderr.write(`seeding ${consents} consents ...`);
  const seedMs = await seedConsents(database, consents);
  process.stderr.write(` ${fmt(seedMs / 1000, 1)} s\n`);

  process.stderr.write('app loading the replica ...');
  const gatehouse = await startGatehouse({ role: 'api', database, env, label: 'consents' });
  const replica = gatehouse.app.get(ConsentReplica);
  await replica.whenLoaded();
  await untilCurrent(replica);
  const status = replica.status();
  if (status.consents !== consents) throw new Error(`replica holds ${status.consents} consents, not ${consents}`);
  const full = heapAfterGc(gc);
  process.stderr.write(` ${status.loadedInMs} ms, ${fmt(mb(full.heapUsed), 1)} MB heap\n`);

  process.stderr.write(`decideLocal x ${decisions} ...`);
  const inProcess = await inProcessDecisions(replica, consents, decisions);
  process.stderr.write(` p99 ${fmt(inProcess.latency.p99 * 1000, 2)} µs\n`);

  const { bodies, allowed } = await decisionBodies(gatehouse.baseUrl, consents);
  const decisionRequest: LoadRequest = {
    url: `${gatehouse.baseUrl}${DECISION_ROUTE}`,
    method: 'POST',
    headers: gatewayHeaders,
    bodies,
  };
  const bare = await startBareDecisions();
  const transactionsBefore = await committedTransactions(database);
  const roundsStarted = performance.now();
  const results = await alternateRounds(
    [
      { label: 'bare health', target: `${bare}${HEALTH_ROUTE}` },
      { label: 'bare decisions', target: { ...decisionRequest, url: `${bare}${DECISION_ROUTE}` } },
      { label: 'health', target: `${gatehouse.baseUrl}${HEALTH_ROUTE}` },
      { label: 'decisions', target: decisionRequest },
    ],
    settings,
    ROUNDS,
  );
  // Answers from PostgreSQL (replica not current) would show as thousands of transactions; the
  // heartbeat alone makes 4 a second, plus the pool's own.
  const httpRounds = {
    transactions: (await committedTransactions(database)) - transactionsBefore,
    seconds: (performance.now() - roundsStarted) / 1000,
    notCurrent: replica.status().status !== 'current',
  };

  process.stderr.write('two API processes loading the replica ...');
  const { processes, loadedInMs } = await spawnApiProcesses(database, consents);
  process.stderr.write(` ${loadedInMs.join(' ms, ')} ms\n`);
  process.stderr.write(`${revocations} revocations at ${revocationRate}/s ...`);
  const propagation = await revocationPropagation(
    gatehouse,
    processes,
    consents,
    revocations,
    revocationRate,
    pollMs,
    lostMs,
  );
  process.stderr.write(` max ${fmt(propagation.all.max, 1)} ms, lost ${propagation.lost}\n`);

  process.stdout.write(
    `${report({
      consents,
      seedMs,
      loadedInMs: status.loadedInMs!,
      spawnedLoadedInMs: loadedInMs,
      emptyHeap: emptyBefore.heapUsed,
      fullHeap: full.heapUsed,
      rssBefore,
      rssAfter: full.rss,
      inProcess,
      settings,
      health: summariseRounds(`gatehouse GET ${HEALTH_ROUTE}`, results.get('health')!),
      decision: summariseRounds(`gatehouse POST ${DECISION_ROUTE}`, results.get('decisions')!),
      bareHealth: summariseRounds(`bare GET ${HEALTH_ROUTE}`, results.get('bare health')!),
      bareDecision: summariseRounds(`bare POST ${DECISION_ROUTE} (no decision)`, results.get('bare decisions')!),
      allowedShare: allowed / bodies.length,
      httpRounds,
      propagation,
      revocationRate,
      pollMs,
      lostMs,
    })}\n`,
  );
}

if (require.main === module) runBench('consent-decisions bench', main);
