import 'reflect-metadata';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Principal } from '../src/auth/principal';
import { AuditService } from '../src/audit/audit.service';
import { CLAIM_STATEMENT, SWEEP_EXPIRED_LEASES_STATEMENT } from '../src/review/claim.statement';
import { ReviewTasksService } from '../src/review/review-tasks.service';
import { LEASE_MS, RISK_RANK } from '../src/review/review.rules';
import { integerFromEnv } from './lib/env';
import { ThrowawayDatabase, createThrowawayDatabase, initGatehouse } from './lib/gatehouse';
import { runBench } from './lib/runner';
import { LatencySummary, summarise, table } from './lib/stats';
import { cleanups, withClient } from './lib/throwaway';

/**
 * Review-queue claim benchmark, in one run, on a throwaway database holding 100,000 pending KYB
 * tasks, by default each of a different organisation (case) in `pending_review`, so every claim is
 * a case's first and starts its review (BENCH_CLAIMS_ORGS=1: one organisation holds them all):
 *
 *  1. the claim through the real service: `ReviewTasksService.claim(principal)` on the real
 *     Gatehouse app (its TypeORM pool: DATABASE_POOL_SIZE, default 10 connections; set it with
 *     BENCH_CLAIMS_POOL), first from 1 claimer for a few seconds (the uncontended cost), then from
 *     50 concurrent claimers; while they run, pg_stat_activity and the pool's queue are sampled to
 *     show where each claim waits;
 *  2. the bare claim statement: the service's `pick()` alone, verbatim (`WITH own AS (… own
 *     organisations by email), candidate AS (SELECT … WHERE status = 'pending' … FOR UPDATE SKIP
 *     LOCKED), picked AS (UPDATE review_tasks … RETURNING *), started AS (UPDATE organisations …
 *     'pending_review' → 'in_review'), audited AS (INSERT INTO audit_queue …) SELECT …`), in
 *     autocommit as the service runs it, but as an unnamed statement and with no expired-lease
 *     sweep; from 50 concurrent claimers on a `pg` Pool of 50 connections, after the tasks claimed
 *     in step 1 were put back to pending, their organisations back to `pending_review` (as a
 *     release does) and the tables vacuumed;
 *  3. the floor: `SELECT 1` from 50 concurrent loops on a `pg` Pool of 50 connections.
 *
 * Every claimed id is checked to have been handed out once, and the number of `claimed` rows to
 * equal the number of successful claims; every claimed task's organisation must be `in_review`,
 * with exactly one `verification.review_started` event per organisation claimed, naming a task of
 * that organisation held by the event's actor; the service's claim events are counted in audit_queue
 * (the api role runs no chainer) and then chained, timed, as the audit worker would. EXPLAIN
 * (ANALYZE, BUFFERS) of the claim statement and of the expired-lease sweep
 * (`releaseExpiredLeases()`) is printed on the fresh queue and after each claim phase.
 *
 *   npx ts-node --transpile-only bench/claims.ts
 *
 * Environment (all optional):
 *   BENCH_CLAIMS_SECONDS          measured seconds of each 50-claimer phase (default 15)
 *   BENCH_CLAIMS_WARMUP_SECONDS   discarded warm-up before each measured phase (default 1; 0 = none)
 *   BENCH_CLAIMS_SERIAL_SECONDS   the 1-claimer service phase (default 3)
 *   BENCH_CLAIMS_CONCURRENCY      concurrent claimers (default 50)
 *   BENCH_CLAIMS_TASKS            pending tasks inserted (default 100000)
 *   BENCH_CLAIMS_ORGS             organisations (cases) the tasks are spread over, round-robin (default: one
 *                                 per task, every claim a case's first; 1 = one organisation holding them all)
 *   BENCH_CLAIMS_POOL             DATABASE_POOL_SIZE of the app under test (default: unset, the app's 10)
 *   TEST_POSTGRES_URL, TEST_REDIS_URL   servers to use (default 127.0.0.1:5432 and :6379)
 */

const P99_GOAL_MS = 25;
const SAMPLE_EVERY_MS = 20;

/** Parameters of CLAIM_STATEMENT for a plain reviewer and no request id, as the service's autocommit claim runs it. */
const claimParams = (reviewer: Principal, inTransaction = false): unknown[] => [
  reviewer.userId,
  false,
  reviewer.email,
  LEASE_MS / 1000,
  null,
  inTransaction,
];

interface Settings {
  seconds: number;
  warmupSeconds: number;
  serialSeconds: number;
  concurrency: number;
  tasks: number;
  orgs: number;
  /** DATABASE_POOL_SIZE given to the app; undefined = the app's default. */
  pool?: number;
}

function settingsFromEnv(): Settings {
  return {
    seconds: integerFromEnv('BENCH_CLAIMS_SECONDS', 15, 1),
    warmupSeconds: integerFromEnv('BENCH_CLAIMS_WARMUP_SECONDS', 1, 0),
    serialSeconds: integerFromEnv('BENCH_CLAIMS_SERIAL_SECONDS', 3, 0),
    concurrency: integerFromEnv('BENCH_CLAIMS_CONCURRENCY', 50, 1),
    tasks: integerFromEnv('BENCH_CLAIMS_TASKS', 100_000, 1),
    orgs: integerFromEnv('BENCH_CLAIMS_ORGS', integerFromEnv('BENCH_CLAIMS_TASKS', 100_000, 1), 1),
    pool: process.env.BENCH_CLAIMS_POOL?.trim() ? integerFromEnv('BENCH_CLAIMS_POOL', 10, 2) : undefined,
  };
}

const normaliseSql = (sql: string) => sql.replace(/\s+/g, ' ').trim();

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Data

interface Fixture {
  database: ThrowawayDatabase;
  url: string;
  orgIds: string[];
  reviewers: Principal[];
}

async function createDatabase(settings: Settings): Promise<Fixture> {
  const database = await createThrowawayDatabase();
  const { url, suffix } = database;

  return withClient(url, async (c) => {
    const started = performance.now();
    // Each organisation has its own owner, as in production (a developer per case), so no user
    // is a member of thousands of organisations: the own-organisations lookup in the claim reads
    // the reviewer's memberships by email, and one owner of every organisation would make the
    // bench measure a fixture artefact (a hash join over all the memberships) instead.
    const owners = (
      await c.query<{ id: string }>(
        // Lower-case ASCII addresses are their own mailbox key (src/accounts/mailbox.ts).
        `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at)
         SELECT 'developer', e, e, 'Bench Owner ' || i, 'not-a-hash', now()
           FROM generate_series(1, $1::int) i, LATERAL (SELECT 'bench-owner-' || i || '-' || $2 || '@example.com' AS e) k
          ORDER BY i
         RETURNING id`,
        [settings.orgs, suffix],
      )
    ).rows.map((r) => r.id);
    // Already waiting for review, so the first claim of each organisation moves it to in_review
    // (the transition and its audit event, as in production) and later claims of the same case
    // find it in_review.
    const orgIds = (
      await c.query<{ id: string }>(
        `INSERT INTO organisations (legal_name, registration_number, country, registered_address, regulatory_status, verification_status, created_by,
                                    risk_level, submitted_at, verification_reasons, requested_items)
         SELECT 'Bench Claims ' || i || ' Ltd', lpad(i::text, 8, '0'), 'GB', '{"line1":"1 A St","city":"York","postcode":"YO1 7HH","country":"GB"}'::jsonb,
                '{"type":"unregulated"}'::jsonb, 'pending_review', owner, 'medium', now(), '[]'::jsonb, '[]'::jsonb
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(owner, i)
         RETURNING id`,
        [owners],
      )
    ).rows.map((r) => r.id);
    await c.query(
      `INSERT INTO organisation_members (organisation_id, user_id, role) SELECT id, created_by, 'owner' FROM organisations`,
    );

    // Mixed risk (high / medium / low in turn) and due times spread over two weeks, not in id order.
    await c.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at)
       SELECT 'kyb', o, o, 'first', r.level, 1, r.rank, now() + make_interval(mins => (i * 7919) % 20160)
         FROM generate_series(1, $1::int) i
        CROSS JOIN LATERAL (SELECT ($2::uuid[])[1 + i % array_length($2::uuid[], 1)] AS o) org
        CROSS JOIN LATERAL (SELECT (ARRAY['high','medium','low'])[1 + i % 3] AS level, (ARRAY[$3::int, $4::int, $5::int])[1 + i % 3] AS rank) r`,
      [settings.tasks, orgIds, RISK_RANK.high, RISK_RANK.medium, RISK_RANK.low],
    );

    const reviewerRows = (
      await c.query<{ id: string; email: string; name: string }>(
        `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at, staff_role, totp_enabled_at)
         SELECT 'staff', e, e, 'Bench Reviewer ' || i, 'not-a-hash', now(), 'reviewer', now()
           FROM generate_series(1, $1::int) i,
                LATERAL (SELECT 'bench-reviewer-' || i || '-' || $2 || '@example.com' AS e) k
         RETURNING id, email, name`,
        [settings.concurrency, suffix],
      )
    ).rows;
    await c.query('ANALYZE');
    log(
      `data: ${settings.tasks} pending tasks over ${orgIds.length} organisation(s) (each with its own owner), ${reviewerRows.length} reviewers, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const reviewers: Principal[] = reviewerRows.map((r) => ({
      userId: r.id,
      sessionId: randomUUID(),
      kind: 'staff',
      email: r.email,
      name: r.name,
      emailVerified: true,
      staffRole: 'reviewer',
      mfaEnrolled: true,
      mfaVerified: true,
    }));
    return { database, url, orgIds, reviewers };
  });
}

/** The real app (role `api`, not listening: the claims are service calls) on the filled database. */
async function startGatehouse(fixture: Fixture, settings: Settings): Promise<NestExpressApplication> {
  const env = { DATABASE_POOL_SIZE: settings.pool === undefined ? undefined : String(settings.pool) };
  return (await initGatehouse({ role: 'api', database: fixture.database, env })).app;
}

// ---------------------------------------------------------------------------------------------
// Load loops

interface PhaseResult {
  label: string;
  concurrency: number;
  /** Latencies of the operations started after the warm-up, ms. */
  latencies: number[];
  /** Start of each measured operation, ms after the measured window opened (same order as latencies). */
  startedAt: number[];
  /** Operations per second over the measured window. */
  perSecond: number;
  windowSeconds: number;
  warmupOps: number;
  /** Every id an operation returned, warm-up included. */
  ids: string[];
  errors: number;
  firstError?: string;
  /** The queue answered "nothing to claim" before the deadline. */
  emptied: boolean;
  summary: LatencySummary;
}

/**
 * `concurrency` async loops calling `op` until the deadline (or until `op` answers undefined: the
 * queue is empty). Operations started during the warm-up are run but not measured.
 */
async function runLoops(
  label: string,
  concurrency: number,
  warmupSeconds: number,
  seconds: number,
  op: (worker: number) => Promise<string | undefined>,
): Promise<PhaseResult> {
  const t0 = performance.now();
  const measureFrom = t0 + warmupSeconds * 1000;
  const deadline = measureFrom + seconds * 1000;
  const latencies: number[] = [];
  const startedAt: number[] = [];
  const ids: string[] = [];
  let warmupOps = 0;
  let errors = 0;
  let firstError: string | undefined;
  let emptied = false;
  let lastEnd = measureFrom;

  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (!emptied && performance.now() < deadline) {
        const start = performance.now();
        try {
          const id = await op(worker);
          const end = performance.now();
          if (id === undefined) {
            emptied = true;
            break;
          }
          ids.push(id);
          if (start >= measureFrom) {
            latencies.push(end - start);
            startedAt.push(start - measureFrom);
            if (end > lastEnd) lastEnd = end;
          } else warmupOps++;
        } catch (e) {
          errors++;
          firstError ??= e instanceof Error ? e.message : String(e);
          if (errors > 1000) throw new Error(`${label}: more than 1000 errors, the first: ${firstError}`);
        }
      }
    }),
  );
  const windowSeconds = Math.max(1e-3, (lastEnd - measureFrom) / 1000);
  return {
    label,
    concurrency,
    latencies,
    startedAt,
    perSecond: latencies.length / windowSeconds,
    windowSeconds,
    warmupOps,
    ids,
    errors,
    firstError,
    emptied,
    summary: summarise(latencies),
  };
}

/** p50 / p99 of the measured window cut into `buckets` equal slices of start time: does a claim get slower as the run goes on? */
function timeline(r: PhaseResult, buckets = 5): string {
  const width = (r.windowSeconds * 1000) / buckets;
  const slices: number[][] = Array.from({ length: buckets }, () => []);
  r.startedAt.forEach((at, i) => slices[Math.min(buckets - 1, Math.floor(at / width))]!.push(r.latencies[i]!));
  return slices
    .map((s, i) => {
      const sum = summarise(s);
      return `${fmt((i * width) / 1000)}-${fmt(((i + 1) * width) / 1000)} s: ${s.length} ops, p50 ${fmt(sum.p50, 1)} / p99 ${fmt(sum.p99, 1)} ms`;
    })
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Where a service claim waits: pg_stat_activity of the app's connections and its pool's queue.

interface WaitSamples {
  samples: number;
  /** Sum over samples of claimers queued for a pool connection. */
  poolWaiting: number;
  /** Sum over samples of pool connections checked out. */
  poolBusy: number;
  /** Sum over samples of app connections in each state. */
  states: Map<string, number>;
}

function classify(row: {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  query: string | null;
}): string {
  const q = normaliseSql(row.query ?? '');
  const what = /^WITH own AS MATERIALIZED \( SELECT coalesce/.test(q)
    ? 'claim statement (pick + lease + review start + audit_queue)'
    : /audit_head/.test(q)
      ? 'audit head (SELECT … FOR UPDATE / UPDATE)'
      : // pg_stat_activity cuts query text at 1 kB, before the FROM of TypeORM's long column list.
        /"Organisation"\.|"organisations"/.test(q)
        ? 'organisation row (SELECT … FOR UPDATE / save)'
        : /^UPDATE review_tasks SET status = 'pending'/.test(q)
          ? 'lease sweep UPDATE'
          : /organisation_members/.test(q)
            ? 'own-organisations SELECT'
            : /INSERT INTO audit_entries/.test(q)
              ? 'INSERT audit entry'
              : /^COMMIT/i.test(q)
                ? 'COMMIT'
                : /^(START TRANSACTION|BEGIN)/i.test(q)
                  ? 'BEGIN'
                  : 'other';
  if (row.state === 'idle') return 'idle in pool';
  if (row.state === 'idle in transaction') return `idle in transaction (app between statements; last: ${what})`;
  if (row.wait_event_type === 'Lock') return `waiting for lock (${row.wait_event}) in: ${what}`;
  if (row.wait_event_type) return `running, ${row.wait_event_type}:${row.wait_event} in: ${what}`;
  return `running (CPU) in: ${what}`;
}

function startWaitSampler(
  url: string,
  applicationName: string,
  pool: { waitingCount: number; totalCount: number; idleCount: number },
): { stop(): Promise<WaitSamples> } {
  const result: WaitSamples = { samples: 0, poolWaiting: 0, poolBusy: 0, states: new Map() };
  const client = new Client({ connectionString: url, application_name: 'gatehouse-bench-sampler' });
  let running = true;
  const done = (async () => {
    await client.connect();
    try {
      while (running) {
        const rows = (
          await client.query<{
            state: string | null;
            wait_event_type: string | null;
            wait_event: string | null;
            query: string | null;
          }>(
            `SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
            [applicationName],
          )
        ).rows;
        result.samples++;
        result.poolWaiting += pool.waitingCount;
        result.poolBusy += pool.totalCount - pool.idleCount;
        for (const row of rows) {
          const key = classify(row);
          result.states.set(key, (result.states.get(key) ?? 0) + 1);
        }
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}

/** Machine CPU (all processes, PostgreSQL included), this process's CPU and its event-loop delay, over a phase. */
function startCpuMeter(): {
  stop(): {
    machineBusyPct: number;
    processPctOfOneCpu: number;
    loopDelayP50Ms: number;
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
  };
} {
  const machine = () =>
    cpus().reduce(
      (acc, c) => ({
        busy: acc.busy + c.times.user + c.times.nice + c.times.sys + c.times.irq,
        total: acc.total + c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle,
      }),
      { busy: 0, total: 0 },
    );
  const m0 = machine();
  const p0 = process.cpuUsage();
  const t0 = performance.now();
  const resolutionMs = 10;
  const loop = monitorEventLoopDelay({ resolution: resolutionMs });
  // The histogram holds whole timer intervals (resolution included); report the lateness beyond it.
  const late = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  loop.enable();
  return {
    stop() {
      loop.disable();
      const m1 = machine();
      const p = process.cpuUsage(p0);
      const wallUs = (performance.now() - t0) * 1000;
      return {
        machineBusyPct: (100 * (m1.busy - m0.busy)) / Math.max(1, m1.total - m0.total),
        processPctOfOneCpu: (100 * (p.user + p.system)) / wallUs,
        loopDelayP50Ms: late(loop.percentile(50)),
        loopDelayP99Ms: late(loop.percentile(99)),
        loopDelayMaxMs: late(loop.max),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks and evidence

/**
 * pg_prepared_statements of every connection in the app's pool (each is checked out at once, so
 * each is asked): did the claim's named statement reuse its plan?
 */
async function preparedClaimPlans(
  pool: Pool,
): Promise<{ connections: number; preparedOn: number; genericPlans: number; customPlans: number }> {
  const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
  const result = { connections: clients.length, preparedOn: 0, genericPlans: 0, customPlans: 0 };
  try {
    for (const c of clients) {
      const rows = (
        await c.query<{ generic_plans: string; custom_plans: string }>(
          `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'review-tasks-claim'`,
        )
      ).rows;
      for (const r of rows) {
        result.preparedOn++;
        result.genericPlans += Number(r.generic_plans);
        result.customPlans += Number(r.custom_plans);
      }
    }
  } finally {
    for (const c of clients) c.release();
  }
  return result;
}

async function explain(url: string, sql: string, params: unknown[]): Promise<string> {
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      const rows = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows;
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

/**
 * The claim statement as the service's named statement runs it once its plan is cached: prepared,
 * with the generic plan forced (the service's connections switch to it after five custom plans).
 */
async function explainGeneric(url: string, sql: string, params: unknown[]): Promise<string> {
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await c.query(`PREPARE bench_generic_claim AS ${sql}`);
      // EXECUTE inside EXPLAIN takes no bind parameters: the values go in as literals.
      const args = params
        .map((v) => (v === null ? 'NULL' : typeof v === 'string' ? c.escapeLiteral(v) : String(v)))
        .join(', ');
      const rows = (
        await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic_claim(${args})`)
      ).rows;
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

/** EXPLAIN ANALYZE of the expired-lease sweep and of the claim statement (each rolled back), as the service runs them. */
async function explainClaim(
  url: string,
  reviewer: Principal,
  when: string,
): Promise<Array<{ when: string; plan: string }>> {
  return [
    { when: `lease sweep, ${when}`, plan: await explain(url, SWEEP_EXPIRED_LEASES_STATEMENT, []) },
    {
      when: `claim statement (custom plan), ${when}`,
      plan: await explain(url, CLAIM_STATEMENT, claimParams(reviewer)),
    },
    {
      when: `claim statement (generic plan), ${when}`,
      plan: await explainGeneric(url, CLAIM_STATEMENT, claimParams(reviewer)),
    },
  ];
}

function planFacts(plan: string): string {
  const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
  const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
  const hits = /Index (?:Only )?Scan using (\w+)/.exec(plan)?.[1];
  // The top node's buffers include its children's: pages touched by the whole statement.
  const buffers = /Buffers: shared ([^\n]+)/.exec(plan)?.[1];
  return `execution ${execution ?? '?'} ms, index ${hits ?? 'none'}, rows removed by filter ${removed}, buffers ${buffers ?? 'n/a'}`;
}

/**
 * The cases behind the claims: every claimed task's organisation is `in_review`, no other
 * organisation is, and there is exactly one `verification.review_started` event per organisation
 * claimed, in the transition's shape, by the holder of a claimed task of that organisation (the
 * task it names). `events`: where to count them (the service phase's are chained before the bare
 * phase, which then counts only its own, still queued).
 */
async function checkCases(c: Client, events: 'audit_entries and audit_queue' | 'audit_queue'): Promise<string[]> {
  const started =
    `SELECT actor_type, actor_id, subject_type, subject_id, before, after FROM audit_queue WHERE action = 'verification.review_started'` +
    (events === 'audit_queue'
      ? ''
      : ` UNION ALL SELECT actor_type, actor_id, subject_type, subject_id, before, after FROM audit_entries WHERE action = 'verification.review_started'`);
  const [r] = (
    await c.query<{
      not_in_review: number;
      orgs_claimed: number;
      orgs_in_review: number;
      events: number;
      event_orgs: number;
      bad_events: number;
    }>(
      `WITH started AS (${started}),
            claimed AS (SELECT id, organisation_id, claimed_by FROM review_tasks WHERE status = 'claimed')
       SELECT (SELECT count(*)::int FROM claimed t JOIN organisations o ON o.id = t.organisation_id WHERE o.verification_status <> 'in_review') AS not_in_review,
              (SELECT count(DISTINCT organisation_id)::int FROM claimed) AS orgs_claimed,
              (SELECT count(*)::int FROM organisations WHERE verification_status = 'in_review') AS orgs_in_review,
              (SELECT count(*)::int FROM started) AS events,
              (SELECT count(DISTINCT subject_id)::int FROM started) AS event_orgs,
              (SELECT count(*)::int FROM started s
                WHERE s.actor_type <> 'staff' OR s.subject_type <> 'organisation' OR s.before IS DISTINCT FROM '{"status": "pending_review"}'::jsonb
                   OR s.after->>'status' IS DISTINCT FROM 'in_review'
                   OR NOT EXISTS (SELECT 1 FROM claimed t WHERE t.id::text = s.after->>'taskId' AND t.organisation_id::text = s.subject_id AND t.claimed_by::text = s.actor_id)) AS bad_events`,
    )
  ).rows;
  const notes = [
    `${r!.orgs_claimed} organisation(s) claimed, ${r!.orgs_in_review} in_review, ${r!.not_in_review} claimed task(s) whose organisation is not; ` +
      `${r!.events} verification.review_started events (${events}) for ${r!.event_orgs} organisation(s), ${r!.bad_events} not matching a claim`,
  ];
  if (r!.not_in_review > 0 || r!.orgs_in_review !== r!.orgs_claimed)
    notes.push('MISMATCH: claimed cases and in_review organisations differ');
  if (r!.events !== r!.orgs_claimed || r!.event_orgs !== r!.events || r!.bad_events > 0)
    notes.push('MISMATCH: not exactly one review_started event per claimed organisation');
  return notes;
}

interface DuplicateCheck {
  ok: boolean;
  text: string;
}

async function checkDuplicates(
  url: string,
  label: string,
  ids: string[],
  extra?: (c: Client) => Promise<string[]>,
): Promise<DuplicateCheck> {
  const unique = new Set(ids).size;
  return withClient(url, async (c) => {
    const [{ n }] = (
      await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM review_tasks WHERE status = 'claimed'`)
    ).rows as [{ n: number }];
    const problems: string[] = [];
    if (unique !== ids.length) problems.push(`${ids.length - unique} duplicate claim(s)`);
    if (n !== ids.length) problems.push(`${n} claimed rows for ${ids.length} successful claims`);
    const notes = extra ? await extra(c) : [];
    problems.push(...notes.filter((x) => x.startsWith('MISMATCH')));
    const ok = problems.length === 0;
    const text = `${label}: ${ids.length} successful claims, ${unique} distinct task ids, ${n} rows with status 'claimed'${notes.length ? `; ${notes.join('; ')}` : ''} → ${ok ? 'zero duplicates' : `FAIL: ${problems.join(', ')}`}`;
    return { ok, text };
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function phaseRow(r: PhaseResult, floorP99: number): string[] {
  const s = r.summary;
  return [
    r.label,
    String(r.concurrency),
    String(s.count),
    fmt(r.perSecond, 0),
    fmt(s.p50, 2),
    fmt(s.p95, 2),
    fmt(s.p99, 2),
    fmt(s.max, 1),
    fmt(s.mean, 2),
    `${fmt(s.p99 / floorP99, 1)}×`,
    String(r.errors),
  ];
}

function waitReport(w: WaitSamples, claims: PhaseResult, poolSize: number): string[] {
  const lines: string[] = [];
  const meanWaiting = w.poolWaiting / Math.max(1, w.samples);
  const meanBusy = w.poolBusy / Math.max(1, w.samples);
  // Little's law: mean time in a stage = mean number in it / throughput.
  lines.push(
    `   pool (${poolSize} connections): on average ${fmt(meanBusy, 1)} checked out and ${fmt(meanWaiting, 1)} claimers queued for one ` +
      `(${w.samples} samples every ${SAMPLE_EVERY_MS} ms). By Little's law, at ${fmt(claims.perSecond, 0)} claims/s that is ` +
      `≈ ${fmt((meanWaiting / claims.perSecond) * 1000, 1)} ms queued for a connection + ≈ ${fmt((meanBusy / claims.perSecond) * 1000, 1)} ms holding one, ` +
      `per claim (mean claim ${fmt(claims.summary.mean, 1)} ms).`,
  );
  const total = [...w.states.values()].reduce((a, b) => a + b, 0);
  const sorted = [...w.states.entries()].sort((a, b) => b[1] - a[1]);
  lines.push(`   the app's PostgreSQL connections, share of samples (mean connections in that state):`);
  for (const [state, count] of sorted) {
    lines.push(
      `     ${fmt((100 * count) / Math.max(1, total), 1).padStart(5)}%  (${fmt(count / Math.max(1, w.samples), 2)})  ${state}`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  if (process.env.DATABASE_POOL_SIZE && settings.pool === undefined)
    log('WARNING: DATABASE_POOL_SIZE is ignored here (the bench builds its own config); set BENCH_CLAIMS_POOL');

  const fixture = await createDatabase(settings);
  const app = await startGatehouse(fixture, settings);
  const service = app.get(ReviewTasksService);
  const appDataSource = app.get(DataSource);
  const appPool = (appDataSource.driver as unknown as { master: Pool }).master;
  // What the app's pool was actually built with (DATABASE_POOL_SIZE, or its default).
  const poolSize = appPool.options.max ?? 10;
  log(
    `app: TypeORM pool of ${poolSize} connections${settings.pool === undefined ? ' (default; BENCH_CLAIMS_POOL unset)' : ` (BENCH_CLAIMS_POOL=${settings.pool})`}`,
  );
  const appName =
    (appDataSource.options.extra as { application_name?: string } | undefined)?.application_name ?? 'gatehouse-api';

  const plans: Array<{ when: string; plan: string }> = [];
  plans.push(
    ...(await explainClaim(fixture.url, fixture.reviewers[0]!, `fresh queue (${settings.tasks} pending, 0 claimed)`)),
  );

  // 1a. One claimer: the uncontended cost of a service claim.
  let serial: PhaseResult | undefined;
  if (settings.serialSeconds > 0) {
    log(`service claim, 1 claimer, ${settings.serialSeconds} s ...`);
    serial = await runLoops(
      'service claim, 1 claimer',
      1,
      0,
      settings.serialSeconds,
      async () => (await service.claim(fixture.reviewers[0]!))?.id,
    );
    log(
      `  ${serial.summary.count} claims, ${fmt(serial.perSecond, 0)}/s, p50 ${fmt(serial.summary.p50, 2)} ms, p99 ${fmt(serial.summary.p99, 2)} ms`,
    );
  }

  // 1b. 50 claimers through the service.
  log(
    `service claim, ${settings.concurrency} claimers, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s ...`,
  );
  const sampler = startWaitSampler(fixture.url, appName, appPool);
  const cpu = startCpuMeter();
  let wrongHolder = 0;
  const serviceRun = await runLoops(
    `service claim (TypeORM pool ${poolSize})`,
    settings.concurrency,
    settings.warmupSeconds,
    settings.seconds,
    async (worker) => {
      const reviewer = fixture.reviewers[worker % fixture.reviewers.length]!;
      const task = await service.claim(reviewer);
      if (task && task.claimedBy !== reviewer.userId) wrongHolder++;
      return task?.id;
    },
  );
  const waits = await sampler.stop();
  const prepared = await preparedClaimPlans(appPool);
  const cpuUse = cpu.stop();
  log(
    `  ${serviceRun.summary.count} claims, ${fmt(serviceRun.perSecond, 0)}/s, p50 ${fmt(serviceRun.summary.p50, 2)} ms, p99 ${fmt(serviceRun.summary.p99, 2)} ms, ${serviceRun.errors} errors`,
  );

  const serviceIds = [...(serial?.ids ?? []), ...serviceRun.ids];
  const serviceCheck = await checkDuplicates(
    fixture.url,
    'service phase (1 claimer + 50 claimers, warm-up included)',
    serviceIds,
    async (c) => {
      const [a] = (
        await c.query<{ n: number; distinct_subjects: number; queued: number; max_version: number }>(
          `WITH claimed AS (SELECT subject_id FROM audit_entries WHERE action = 'review.task_claimed'
                          UNION ALL SELECT subject_id FROM audit_queue WHERE action = 'review.task_claimed')
         SELECT (SELECT count(*)::int FROM claimed) AS n,
                (SELECT count(DISTINCT subject_id)::int FROM claimed) AS distinct_subjects,
                (SELECT count(*)::int FROM audit_queue WHERE action = 'review.task_claimed') AS queued,
                (SELECT coalesce(max(claim_version), 0)::int FROM review_tasks) AS max_version`,
        )
      ).rows;
      const notes = [
        `${a!.n} review.task_claimed audit events (${a!.queued} still in audit_queue, the api role runs no chainer) for ${a!.distinct_subjects} distinct tasks`,
        `max claim_version ${a!.max_version}`,
      ];
      if (a!.n !== serviceIds.length || a!.distinct_subjects !== serviceIds.length)
        notes.push('MISMATCH: audit entries do not match the claims');
      if (a!.max_version > 1) notes.push('MISMATCH: a task was claimed more than once');
      if (wrongHolder > 0) notes.push(`MISMATCH: ${wrongHolder} claims returned another reviewer as holder`);
      return [...notes, ...(await checkCases(c, 'audit_entries and audit_queue'))];
    },
  );
  log(`  ${serviceCheck.text}`);

  // Link the queued claim events into the chain, as the audit worker's chainer does (batches of
  // 500, each in one transaction holding the head lock); timed, outside every measured phase.
  const audit = app.get(AuditService);
  const chainStarted = performance.now();
  let chained = 0;
  for (let n = await audit.chainQueued(); n > 0; n = await audit.chainQueued()) chained += n;
  const chainMs = performance.now() - chainStarted;
  const chainCheck = await withClient(fixture.url, async (c) => {
    const [r] = (
      await c.query<{ entries: number; queued: number; count_matches: boolean }>(
        `SELECT (SELECT count(*)::int FROM audit_entries WHERE action = 'review.task_claimed') AS entries,
                (SELECT count(*)::int FROM audit_queue) AS queued,
                (SELECT entry_count FROM audit_head WHERE singleton) = (SELECT count(*) FROM audit_entries) AS count_matches`,
      )
    ).rows;
    return { ...r!, cases: await checkCases(c, 'audit_entries and audit_queue') };
  });
  // Every entry's hash and link recomputed, as GET /v1/audit/verify does.
  const verifyStarted = performance.now();
  const verified = await audit.verify();
  const verifyMs = performance.now() - verifyStarted;
  const chainText =
    `chained ${chained} queued events in ${fmt(chainMs, 0)} ms (${fmt(chained / Math.max(1e-3, chainMs / 1000), 0)} events/s, one chainer); ` +
    `now ${chainCheck.entries} review.task_claimed audit entries, ${chainCheck.queued} left in audit_queue, audit_head.entry_count ${chainCheck.count_matches ? 'matches' : 'DOES NOT match'} the entries; ` +
    `chain verified: ${verified.ok ? `ok, ${verified.checked} entries` : `BROKEN at ${verified.firstBrokenId} (${verified.reason})`} in ${fmt(verifyMs, 0)} ms; ${chainCheck.cases.join('; ')}`;
  log(`  ${chainText}`);
  const chainOk =
    chainCheck.queued === 0 &&
    chainCheck.entries === serviceIds.length &&
    chainCheck.count_matches &&
    verified.ok &&
    !chainCheck.cases.some((n) => n.startsWith('MISMATCH'));
  plans.push(
    ...(await explainClaim(
      fixture.url,
      fixture.reviewers[0]!,
      `after the service phase (${serviceIds.length} claimed with a live lease)`,
    )),
  );

  // The app is done: close it now, so its pool (BENCH_CLAIMS_POOL may be large) does not count
  // against max_connections beside the bare phase's 50.
  const closeApp = cleanups.findIndex((c) => c.what === 'close Gatehouse');
  if (closeApp >= 0) await cleanups.splice(closeApp, 1)[0]!.run();

  // Put the queue back to 100,000 pending for the bare statement, and the claimed cases back to
  // pending_review (as releases would), so its claims start reviews as the service's did.
  await withClient(fixture.url, async (c) => {
    await c.query(
      `UPDATE review_tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL WHERE status = 'claimed'`,
    );
    await c.query(
      `UPDATE organisations SET verification_status = 'pending_review' WHERE verification_status = 'in_review'`,
    );
    await c.query('VACUUM ANALYZE review_tasks');
    await c.query('VACUUM ANALYZE organisations');
  });

  // 2. The bare claim statement on a pg Pool of 50.
  log(
    `bare claim statement, ${settings.concurrency} claimers on a pg Pool of ${settings.concurrency}, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s ...`,
  );
  const barePool = new Pool({
    connectionString: fixture.url,
    max: settings.concurrency,
    application_name: 'gatehouse-bench-bare',
  });
  cleanups.unshift({ what: 'close bare pool', run: () => barePool.end() });
  await Promise.all(Array.from({ length: settings.concurrency }, () => barePool.query('SELECT 1')));
  const bareRun = await runLoops(
    `bare claim statement (pg Pool ${settings.concurrency})`,
    settings.concurrency,
    settings.warmupSeconds,
    settings.seconds,
    async (worker) => {
      const reviewer = fixture.reviewers[worker % fixture.reviewers.length]!;
      const rows = (await barePool.query<{ id: string }>(CLAIM_STATEMENT, claimParams(reviewer))).rows;
      return rows[0]?.id;
    },
  );
  log(
    `  ${bareRun.summary.count} claims, ${fmt(bareRun.perSecond, 0)}/s, p50 ${fmt(bareRun.summary.p50, 2)} ms, p99 ${fmt(bareRun.summary.p99, 2)} ms, ${bareRun.errors} errors`,
  );
  // The service phase's events were chained above, so audit_queue now holds the bare phase's only.
  const bareCheck = await checkDuplicates(fixture.url, 'bare phase (warm-up included)', bareRun.ids, (c) =>
    checkCases(c, 'audit_queue'),
  );
  log(`  ${bareCheck.text}`);
  plans.push(
    ...(await explainClaim(fixture.url, fixture.reviewers[0]!, `after the bare phase (${bareRun.ids.length} claimed)`)),
  );
  cleanups.shift();
  await barePool.end();

  // 3. SELECT 1 floor.
  log(
    `SELECT 1, ${settings.concurrency} loops on a pg Pool of ${settings.concurrency}, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s ...`,
  );
  const floorPool = new Pool({
    connectionString: fixture.url,
    max: settings.concurrency,
    application_name: 'gatehouse-bench-select1',
  });
  cleanups.unshift({ what: 'close SELECT 1 pool', run: () => floorPool.end() });
  await Promise.all(Array.from({ length: settings.concurrency }, () => floorPool.query('SELECT 1')));
  const floorRun = await runLoops(
    `SELECT 1 (pg Pool ${settings.concurrency})`,
    settings.concurrency,
    settings.warmupSeconds,
    settings.seconds,
    async () => {
      await floorPool.query('SELECT 1');
      return '';
    },
  );
  floorRun.ids.length = 0;
  log(
    `  ${floorRun.summary.count} round trips, ${fmt(floorRun.perSecond, 0)}/s, p50 ${fmt(floorRun.summary.p50, 2)} ms, p99 ${fmt(floorRun.summary.p99, 2)} ms`,
  );
  cleanups.shift();
  await floorPool.end();

  // Report
  const floorP99 = floorRun.summary.p99;
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Claims bench: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  );
  lines.push(
    `${settings.tasks} pending kyb tasks over ${fixture.orgIds.length} organisation(s); ${settings.concurrency} claimers; ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per phase; latencies in ms; the bare phase runs the service's own CLAIM_STATEMENT`,
  );
  lines.push('');
  lines.push(
    table([
      ['phase', 'claimers', 'ops', 'ops/s', 'p50', 'p95', 'p99', 'max', 'mean', 'p99 / SELECT 1 p99', 'errors'],
      ...(serial ? [phaseRow(serial, floorP99)] : []),
      phaseRow(serviceRun, floorP99),
      phaseRow(bareRun, floorP99),
      phaseRow(floorRun, floorP99),
    ]),
  );
  lines.push('');
  const verdict = (p99: number) => (p99 <= P99_GOAL_MS ? 'PASS' : 'FAIL');
  lines.push(
    `Goal p99 ≤ ${P99_GOAL_MS} ms. The issue's "claim" is what a reviewer gets from POST /v1/review/tasks/claim, i.e. the service claim ` +
      `(one statement in autocommit that also starts the case's review on its first claim; a transaction with the sweep only when nothing is pending):`,
  );
  lines.push(
    `  service claim, ${settings.concurrency} claimers: p99 ${fmt(serviceRun.summary.p99, 2)} ms → ${verdict(serviceRun.summary.p99)}   (the figure the goal is about)`,
  );
  lines.push(
    `  bare claim statement, ${settings.concurrency} claimers: p99 ${fmt(bareRun.summary.p99, 2)} ms → ${verdict(bareRun.summary.p99)}   (the database's share only; not what a reviewer sees)`,
  );
  if (serviceRun.emptied || bareRun.emptied)
    lines.push('  note: a phase emptied the queue before its deadline; its window ended there.');
  lines.push('');
  lines.push(
    'Latency over the measured window (does a claim slow down as claimed rows pile up in front of the queue?):',
  );
  for (const r of [serviceRun, bareRun, floorRun]) lines.push(`  ${r.label}: ${timeline(r)}`);
  lines.push('');
  lines.push(`Where the service claim waits (${settings.concurrency} claimers):`);
  lines.push(...waitReport(waits, serviceRun, poolSize));
  lines.push(
    `   the claim's named statement on the app's ${prepared.connections} connections: prepared on ${prepared.preparedOn}, ` +
      `${prepared.genericPlans} executions with the cached generic plan and ${prepared.customPlans} planned afresh (custom plans).`,
  );
  lines.push(
    `   CPU over the phase (warm-up included): machine ${fmt(cpuUse.machineBusyPct, 0)}% busy of ${cpus().length} CPUs; this Node process (the app and the ${settings.concurrency} claimers, one JS thread) ` +
      `${fmt(cpuUse.processPctOfOneCpu, 0)}% of one CPU; event-loop lateness p50 ${fmt(cpuUse.loopDelayP50Ms, 1)} / p99 ${fmt(cpuUse.loopDelayP99Ms, 1)} / max ${fmt(cpuUse.loopDelayMaxMs, 1)} ms.`,
  );
  if (serial) {
    lines.push(
      `   uncontended, one claimer: ${fmt(serial.perSecond, 0)} claims/s (mean ${fmt(serial.summary.mean, 2)} ms); ` +
        `${settings.concurrency} claimers: ${fmt(serviceRun.perSecond, 0)} claims/s, so in a closed loop the mean claim is ≈ ` +
        `${settings.concurrency} / claims/s = ${fmt((settings.concurrency / serviceRun.perSecond) * 1000, 1)} ms (measured ${fmt(serviceRun.summary.mean, 1)} ms).`,
    );
  }
  lines.push('');
  lines.push('Duplicates:');
  lines.push(`  ${serviceCheck.text}`);
  lines.push(`  ${bareCheck.text}`);
  lines.push(`  audit: ${chainText}`);
  lines.push('');
  lines.push(
    'EXPLAIN (ANALYZE, BUFFERS) of the expired-lease sweep and the claim statement, one claimer, each rolled back:',
  );
  for (const p of plans) lines.push(`  ${p.when}: ${planFacts(p.plan)}`);
  for (const p of plans) {
    lines.push('');
    lines.push(`-- ${p.when}`);
    lines.push(p.plan);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  // Let any straggling claim finish before the cleanup closes the pool under it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (!chainOk)
    throw new Error(
      'queued claim events did not all reach the audit chain, or it does not verify (see "Duplicates" above)',
    );
  if (!serviceCheck.ok || !bareCheck.ok) throw new Error('duplicate or missing claims (see "Duplicates" above)');
}

if (require.main === module) runBench('claims bench', main);
