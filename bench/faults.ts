import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { mailboxKey } from '../src/accounts/mailbox';
import { hashPassword } from '../src/accounts/passwords';
import { ROOT, freePort } from '../test/harness/processes';
import { PrivateRedis, startPrivateRedis } from '../test/harness/redis-server';
import { SmtpCatcher } from '../test/harness/smtp-catcher';
import { ApiClient, LoadActors, MixedLoad, PASSWORD, Sample, enrolStaff, login, newLedger } from './lib/fault-load';
import { FleetProcess, alive, buildIfNeeded, kill, spawnBuilt, stop, waitReady, waitWorkerStarted } from './lib/fleet';
import { PrivatePostgres, startPrivatePostgres } from './lib/private-postgres';
import { runBench } from './lib/runner';
import { nowMs } from './lib/smtp-recorder';
import { summarise, table } from './lib/stats';
import { cleanups, tempDir } from './lib/throwaway';

/**
 * Faults under load (issue #19): Gatehouse as two API and two worker processes (`node
 * dist/src/main.js`, built if needed) on a PostgreSQL cluster, a redis-server (append-only file,
 * noeviction, as production runs it) and an SMTP catcher of the bench's own, under a mixed load
 * over HTTP (bench/lib/fault-load.ts: sign-ups, KYB submissions with documents, reviewers'
 * claims and decisions, consents granted through the OAuth flow and revoked, data API reads and
 * decision point calls), while, one after another:
 *
 *   1. a worker is SIGKILLed mid-job (SMTP answers are held so its mail jobs are surely in
 *      flight; the held messages are then refused with 451) and a replacement started;
 *   2. Redis is shut down and restarted (it reloads its append-only file);
 *   3. SMTP is stopped for FAULT_SMTP_SECONDS;
 *   4. PostgreSQL crashes (`pg_ctl stop -m immediate`) and is started again (crash recovery);
 *   5. an API process is SIGKILLed while requests to it are in flight, and a replacement started
 *      on its port.
 *
 * Then the load stops, the workers drain, and the invariants are checked and printed:
 * every submission reached a decision state or the review queue; no task decided twice; one email
 * per outbox row (by Message-ID at the catcher); every revocation denied by every API process (and
 * how fast); the audit chain verifies (`audit-verify` CLI); no 5xx or network failure outside the
 * outage windows; /health/ready told the truth (503 while PostgreSQL or Redis was down, 200
 * otherwise). Throughput (successful answers a second) before, during and after each fault.
 *
 *   npx ts-node --transpile-only bench/faults.ts          the full run (about 6 minutes)
 *   FAULTS_SHORT=1 npx ts-node --transpile-only bench/faults.ts   shorter windows, for CI (test/faults.e2e-spec.ts)
 *
 * FAULTS_LOG_DIR=<dir> keeps each process's log lines in <dir>/<process>.log.
 *
 * Exit code 0 when every invariant holds, 2 when one fails, 1 when the bench itself failed.
 */

const SHORT = process.env.FAULTS_SHORT === '1';
/** Seconds: load before the first fault, measuring windows around each fault, outages. */
const TIMES = SHORT
  ? { settle: 6, window: 5, redisDown: 3, pgDown: 3, smtpDown: 10, drain: 90 }
  : { settle: 20, window: 15, redisDown: 10, pgDown: 10, smtpDown: 60, drain: 300 };
/** After an outage ends, answers may still fail this long while pools and subscriptions reconnect. */
const RECOVERY_GRACE_MS = 5_000;
/** Readiness samples this close to a PostgreSQL or Redis transition are not judged. */
const READINESS_TOLERANCE_MS = 3_000;
const REDIS_PREFIX = 'gatehouse-faults';
const MAIL_DOMAIN = 'gatehouse.local';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface FaultWindow {
  name: string;
  start: number;
  end: number;
  /** What failed answers are excused in: all API processes (a shared dependency down), one slot, or none. */
  excuses: 'all' | number | 'none';
  /** Shared dependency down from start until it was started again at `restartedAt` (for readiness). */
  down?: 'postgres' | 'redis';
  /** When the dependency's server was started again (`end` is when it answered again). */
  restartedAt?: number;
  note: string;
}

interface ReadinessSample {
  at: number;
  end: number;
  slot: number;
  status: number;
}

class Fleet {
  readonly api: FleetProcess[] = [];
  readonly workers: FleetProcess[] = [];
  constructor(
    readonly env: Record<string, string>,
    readonly ports: number[],
    /** Where each process's output goes (FAULTS_LOG_DIR), if anywhere. */
    readonly logDir?: string,
  ) {}

  private log(name: string): string | undefined {
    return this.logDir ? join(this.logDir, `${name}.log`) : undefined;
  }

  async startApi(slot: number, extra: Record<string, string> = {}): Promise<FleetProcess> {
    const name = `api-${slot + 1}`;
    const p = spawnBuilt(name, 'api', { ...this.env, ...extra }, this.ports[slot], this.log(name));
    this.api[slot] = p;
    cleanups.unshift({ what: `stop ${p.name}`, run: () => stop(p) });
    await waitReady(p);
    return p;
  }

  async startWorker(slot: number, extra: Record<string, string> = {}): Promise<FleetProcess> {
    const name = `worker-${slot + 1}`;
    const p = spawnBuilt(name, 'worker', { ...this.env, LOG_LEVEL: 'info', ...extra }, undefined, this.log(name));
    this.workers[slot] = p;
    cleanups.unshift({ what: `stop ${p.name}`, run: () => stop(p) });
    await waitWorkerStarted(p);
    return p;
  }
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Developers written into the database (verified email), then signed in over HTTP. */
async function developers(api: ApiClient, url: string, n: number): Promise<string[]> {
  const hash = await hashPassword(PASSWORD);
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const email = `faults-dev-${i}-${randomBytes(3).toString('hex')}@example.com`;
    await query(
      url,
      `INSERT INTO users (kind, email, email_key, name, password_hash, email_verified_at)
       VALUES ('developer', $1, $2, 'Faults Developer', $3, now())`,
      [email, mailboxKey(email), hash],
    );
    tokens.push(await login(api, email));
  }
  return tokens;
}

/** Reviewers created by the staff:create CLI (built), then enrolled in TOTP over HTTP. */
async function reviewers(api: ApiClient, env: Record<string, string>, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const email = `faults-reviewer-${i}-${randomBytes(3).toString('hex')}@example.com`;
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'dist', 'src', 'cli', 'staff-create.js'),
        '--email',
        email,
        '--name',
        `Reviewer ${i}`,
        '--role',
        'reviewer',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, STAFF_PASSWORD: PASSWORD } },
    );
    tokens.push(await enrolStaff(api, email));
  }
  return tokens;
}

async function expect200<T>(res: { status: number; body: T }, what: string, status = 200): Promise<T> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function setUpActors(api: ApiClient, databaseUrl: string, env: Record<string, string>): Promise<LoadActors> {
  const [devTokens, reviewerTokens] = await Promise.all([developers(api, databaseUrl, 3), reviewers(api, env, 2)]);
  const appOwner = devTokens.pop()!;
  const org = await expect200(
    await api.send('POST /v1/organisations', '/v1/organisations', {
      token: appOwner,
      json: {
        legalName: 'Budgetly Ltd',
        registrationNumber: '12345678',
        country: 'GB',
        registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
        regulatoryStatus: { type: 'unregulated' },
      },
    }),
    'create organisation',
    201,
  );
  const redirectUri = 'https://app.budgetly.co.uk/callback';
  const app = await expect200(
    await api.send('POST /v1/organisations/:id/apps', `/v1/organisations/${org.id}/apps`, {
      token: appOwner,
      json: {
        name: 'Budgetly',
        description: 'Budgets across all your banks.',
        redirectUris: [redirectUri],
        scopes: ['accounts:read', 'transactions:read'],
      },
    }),
    'create app',
    201,
  );
  const listed = await expect200(await api.send('GET /dev/customers', '/dev/customers'), 'GET /dev/customers');
  const customers: LoadActors['customers'] = [];
  for (const sandbox of (listed.data as { id: string }[]).slice(0, 2)) {
    const minted = await expect200(
      await api.send('POST /dev/customer-token', '/dev/customer-token', { json: { customerId: sandbox.id } }),
      'customer token',
    );
    await expect200(
      await api.send('GET /v1/customer/me', '/v1/customer/me', { token: minted.accessToken }),
      'customer me',
    );
    const [account] = await query<{ id: string }>(
      databaseUrl,
      `SELECT id::text FROM sandbox_accounts WHERE customer_id = $1 ORDER BY id LIMIT 1`,
      [sandbox.id],
    );
    customers.push({ token: minted.accessToken as string, sub: sandbox.id, accountId: account!.id });
  }
  const discovery = await expect200(
    await api.send('GET /oauth/.well-known/openid-configuration', '/oauth/.well-known/openid-configuration'),
    'discovery',
  );
  const path = (u: string) => new URL(u).pathname;
  return {
    developers: devTokens,
    reviewers: reviewerTokens,
    customers,
    app: { clientId: app.clientId, clientSecret: app.clientSecret, redirectUri },
    gatewayKey: env.GATEWAY_API_KEY!,
    issuer: discovery.issuer,
    oauthPaths: {
      par: path(discovery.pushed_authorization_request_endpoint),
      auth: path(discovery.authorization_endpoint),
      token: path(discovery.token_endpoint),
    },
  };
}

/** Polls /health/ready of both API slots every 500 ms. */
function pollReadiness(urls: string[], samples: ReadinessSample[], running: () => boolean): Promise<void> {
  return Promise.all(
    urls.map(async (url, slot) => {
      while (running()) {
        const at = nowMs();
        let status = 0;
        try {
          const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = 0;
        }
        samples.push({ at, end: nowMs(), slot, status });
        await pause(500);
      }
    }),
  ).then(() => undefined);
}

/** Active jobs in every BullMQ queue of the deployment, by queue. */
async function activeJobs(redisUrl: string): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${REDIS_PREFIX}:*:active`);
    const counts: Record<string, number> = {};
    for (const key of keys) {
      const n = await redis.llen(key);
      if (n > 0) counts[key.slice(REDIS_PREFIX.length + 1, -':active'.length)] = n;
    }
    return counts;
  } finally {
    redis.disconnect();
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds(timeoutMs)}`);
    await pause(100);
  }
}

interface Faults {
  windows: FaultWindow[];
  notes: string[];
}

/** The five faults, one after another, each followed by TIMES.window seconds of plain load. */
async function injectFaults(
  fleet: Fleet,
  redis: PrivateRedis,
  pg: PrivatePostgres,
  smtp: SmtpCatcher,
  api: ApiClient,
): Promise<Faults> {
  const windows: FaultWindow[] = [];
  const notes: string[] = [];
  const say = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);

  // 1. A worker killed mid-job: held SMTP answers keep mail jobs in flight on both workers.
  smtp.holdReplies = true;
  await until('mail jobs held in flight', 60_000, () => smtp.held >= 4);
  const active = await activeJobs(redis.url);
  let start = nowMs();
  say(`fault: SIGKILL worker-1 (active jobs ${JSON.stringify(active)}, ${smtp.held} sends held)`);
  await kill(fleet.workers[0]!);
  smtp.refuseHeld();
  await fleet.startWorker(0);
  windows.push({
    name: 'worker SIGKILL mid-job',
    start,
    end: nowMs(),
    excuses: 'none',
    note: `active jobs at the kill: ${JSON.stringify(active)}; a replacement started`,
  });
  await pause(TIMES.window * 1000);

  // 2. Redis restart (its append-only file is reloaded).
  start = nowMs();
  say('fault: Redis shutdown');
  await redis.shutdown();
  await pause(TIMES.redisDown * 1000);
  let restartedAt = nowMs();
  await redis.restart();
  say('Redis back');
  windows.push({
    name: 'Redis restart',
    start,
    end: nowMs(),
    excuses: 'all',
    down: 'redis',
    restartedAt,
    note: `down ${TIMES.redisDown} s; AOF reloaded`,
  });
  await pause(TIMES.window * 1000);

  // 3. SMTP outage.
  start = nowMs();
  say('fault: SMTP stopped');
  await smtp.stop();
  await pause(TIMES.smtpDown * 1000);
  await smtp.start();
  say('SMTP back');
  windows.push({
    name: 'SMTP outage',
    start,
    end: nowMs(),
    excuses: 'none',
    note: `down ${TIMES.smtpDown} s`,
  });
  await pause(TIMES.window * 1000);

  // 4. PostgreSQL crash and restart.
  start = nowMs();
  say('fault: PostgreSQL crash (pg_ctl stop -m immediate)');
  await pg.crash();
  await pause(TIMES.pgDown * 1000);
  restartedAt = nowMs();
  await pg.start();
  say('PostgreSQL back');
  windows.push({
    name: 'PostgreSQL restart',
    start,
    end: nowMs(),
    excuses: 'all',
    down: 'postgres',
    restartedAt,
    note: `down ${TIMES.pgDown} s, then crash recovery`,
  });
  await pause(TIMES.window * 1000);

  // 5. An API process killed with requests in flight; a replacement on its port.
  await until('requests in flight to api-2', 30_000, () => api.inFlight[1]! > 0);
  const inFlight = api.inFlight[1]!;
  start = nowMs();
  say(`fault: SIGKILL api-2 (${inFlight} requests in flight)`);
  await kill(fleet.api[1]!);
  await fleet.startApi(1);
  say('api-2 replaced');
  windows.push({
    name: 'API process SIGKILL',
    start,
    end: nowMs(),
    excuses: 1,
    note: `${inFlight} requests in flight at the kill; replacement ready after ${seconds(nowMs() - start)}`,
  });
  await pause(TIMES.window * 1000);
  return { windows, notes };
}

/** Where `at` falls: "<fault> +N s" after the start of the latest fault that started before it. */
function sinceFault(windows: FaultWindow[], at: number): string {
  const latest = windows.filter((w) => w.start <= at).pop();
  if (!latest) return 'before the faults';
  const phase = at <= latest.end ? 'during' : `${seconds(at - latest.end)} after`;
  return `${latest.name} ${phase}`;
}

/** Successful answers a second in [from, to). */
function throughput(samples: Sample[], from: number, to: number): number {
  if (to <= from) return 0;
  const ok = samples.filter((s) => s.end >= from && s.end < to && s.status >= 200 && s.status < 400).length;
  return ok / ((to - from) / 1000);
}

function excused(windows: FaultWindow[], s: { at: number; end: number; target: number }): boolean {
  return windows.some((w) => {
    if (w.excuses === 'none') return false;
    if (w.excuses !== 'all' && w.excuses !== s.target) return false;
    return s.end >= w.start && s.at <= w.end + RECOVERY_GRACE_MS;
  });
}

/** Readiness samples whose answer contradicts what was down: [sample, expected]. */
function readinessLies(windows: FaultWindow[], samples: ReadinessSample[]): { judged: number; lies: string[] } {
  const outages = windows.filter((w) => w.down);
  const lies: string[] = [];
  let judged = 0;
  for (const s of samples) {
    if (s.status === 0) continue; // the process itself was down (the API kill) or starting
    // Down for certain: from the tolerance after the stop until the server was started again.
    const during = outages.find((w) => s.at >= w.start + READINESS_TOLERANCE_MS && s.end <= w.restartedAt!);
    const near = outages.some((w) => s.end >= w.start && s.at <= w.end + READINESS_TOLERANCE_MS);
    let expected: number | undefined;
    if (during) expected = 503;
    else if (!near) expected = 200;
    if (expected === undefined) continue;
    judged++;
    if (s.status !== expected)
      lies.push(`api-${s.slot + 1} at ${new Date(s.at).toISOString()}: ${s.status}, expected ${expected}`);
  }
  return { judged, lies };
}

async function auditVerify(env: Record<string, string>): Promise<{ ok: boolean; checked: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'dist', 'src', 'cli', 'audit-verify.js')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '{}' }));
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; checked: number };
}

async function main(): Promise<void> {
  buildIfNeeded();
  const say = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  say(`faults bench (${SHORT ? 'short' : 'full'} run)`);
  const pg = await startPrivatePostgres();
  cleanups.unshift({ what: 'remove the private PostgreSQL', run: () => pg.remove() });
  await query(pg.url(), 'CREATE DATABASE gatehouse');
  const databaseUrl = pg.url('gatehouse');
  const redis = await startPrivateRedis(undefined, { appendOnly: true });
  cleanups.unshift({ what: 'stop the private Redis', run: () => redis.stop() });
  const smtp = new SmtpCatcher();
  smtp.closeTimeoutMs = 200;
  await smtp.start();
  cleanups.unshift({ what: 'stop the SMTP catcher', run: () => smtp.stop() });
  say(`PostgreSQL :${pg.port}, Redis :${redis.port}, SMTP :${smtp.port}`);

  const ports = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
    REDIS_URL: redis.url,
    REDIS_PREFIX,
    SMTP_URL: smtp.url,
    MAIL_FROM: `Gatehouse <no-reply@${MAIL_DOMAIN}>`,
    PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
    VAR_DIR: tempDir('faults'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    GATEWAY_API_KEY: randomBytes(32).toString('base64url'),
    SANDBOX_SEED: 'faults',
    SANDBOX_CUSTOMERS: '2',
  };
  const logDir = process.env.FAULTS_LOG_DIR;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const fleet = new Fleet(env, ports, logDir);
  // The first process migrates and creates the development keys (VAR_DIR) the others share.
  await fleet.startApi(0, { MIGRATE_ON_START: 'true' });
  await Promise.all([fleet.startApi(1), fleet.startWorker(0), fleet.startWorker(1)]);
  say('2 API and 2 worker processes ready');

  const api = new ApiClient(ports.map((p) => `http://127.0.0.1:${p}`));
  const actors = await setUpActors(api, databaseUrl, env);
  api.samples.length = 0; // judge the load only
  say('actors ready; load starts');

  let running = true;
  const readiness: ReadinessSample[] = [];
  const polling = pollReadiness(api.urls, readiness, () => running);
  const load = new MixedLoad(api, actors, newLedger(), () => running);
  const loadDone = load.run();
  const loadStart = nowMs();
  await pause(TIMES.settle * 1000);
  let faults: Faults;
  try {
    faults = await injectFaults(fleet, redis, pg, smtp, api);
  } finally {
    running = false;
    await Promise.all([loadDone, polling]);
  }
  const loadEnd = nowMs();
  say('load stopped; waiting for the workers to finish');

  // Drain: checks finished, job announcements handed over, every email sent or dead.
  const drained = await until('drain', TIMES.drain * 1000, async () => {
    const [row] = await query<{ submitted: string; announcements: string; emails: string }>(
      databaseUrl,
      `SELECT (SELECT count(*) FROM organisations WHERE verification_status = 'submitted') AS submitted,
              (SELECT count(*) FROM job_outbox WHERE dead_at IS NULL) AS announcements,
              (SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'queued')) AS emails`,
    );
    return Number(row!.submitted) === 0 && Number(row!.announcements) === 0 && Number(row!.emails) === 0;
  }).then(
    () => undefined,
    (e: Error) => e.message,
  );
  const drainedAfter = nowMs() - loadEnd;
  // Emails answered 250 a moment ago may still be parsed by the catcher.
  await pause(1000);

  const invariants: Array<{ name: string; ok: boolean; detail: string }> = [];
  const check = (name: string, ok: boolean, detail: string) => invariants.push({ name, ok, detail });
  check('drained', drained === undefined, drained ?? `after ${seconds(drainedAfter)}`);

  // Every submission reached a decision state or the review queue.
  const ledger = load.ledger;
  const orgs = await query<{ id: string; status: string; open_tasks: string }>(
    databaseUrl,
    `SELECT o.id::text, o.verification_status AS status,
            (SELECT count(*) FROM review_tasks t WHERE t.organisation_id = o.id AND t.status IN ('pending', 'claimed')) AS open_tasks
       FROM organisations o WHERE o.legal_name LIKE 'Harbour %'`,
  );
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const decisionStates = new Set(['approved', 'rejected', 'info_requested']);
  const queuedStates = new Set(['pending_review', 'in_review', 'awaiting_second_approval']);
  const lost = ledger.submitted.filter((id) => byId.get(id)?.status === 'unverified' || !byId.has(id));
  const stuck = orgs.filter(
    (o) =>
      o.status !== 'unverified' &&
      !decisionStates.has(o.status) &&
      !(queuedStates.has(o.status) && Number(o.open_tasks) === 1),
  );
  const states = new Map<string, number>();
  for (const o of orgs) if (o.status !== 'unverified') states.set(o.status, (states.get(o.status) ?? 0) + 1);
  check(
    'every submission decided or queued',
    lost.length === 0 && stuck.length === 0 && ledger.submitted.length > 0,
    `${ledger.submitted.length} submits answered 202, ${ledger.submitUnknown.length} unanswered; states ` +
      `${JSON.stringify(Object.fromEntries(states))}; lost ${lost.length}; stuck ${stuck.length}` +
      (stuck.length
        ? ` (${stuck
            .slice(0, 3)
            .map((o) => `${o.id} ${o.status} tasks ${o.open_tasks}`)
            .join(', ')})`
        : ''),
  );

  // No task decided twice.
  const twice = await query<{ task_id: string; n: string }>(
    databaseUrl,
    `SELECT task_id::text, count(*) AS n FROM review_decisions GROUP BY task_id, stage HAVING count(*) > 1`,
  );
  const [decisionRows] = await query<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM review_decisions`);
  const missing = [];
  const rows = new Set(
    (await query<{ task_id: string }>(databaseUrl, `SELECT task_id::text FROM review_decisions`)).map((r) => r.task_id),
  );
  for (const d of ledger.decided) if (!rows.has(d.taskId)) missing.push(d.taskId);
  check(
    'no task decided twice',
    twice.length === 0 && missing.length === 0 && ledger.decided.length > 0,
    `${ledger.decided.length} decisions answered 200 (${ledger.decided.filter((d) => d.retried).length} after a retry), ` +
      `${ledger.repeatsRefused} repeats refused; ${decisionRows!.n} decision rows; ${twice.length} tasks with two; ` +
      `${missing.length} answered but not recorded`,
  );

  // One email per outbox row, by Message-ID.
  const outbox = await query<{ id: string; status: string }>(
    databaseUrl,
    `SELECT id::text, status FROM outbox_messages`,
  );
  const caught = new Map<string, number>();
  for (const m of smtp.messages) {
    const id = /^<?([0-9a-f-]{36})@/.exec(m.messageId)?.[1] ?? m.messageId;
    caught.set(id, (caught.get(id) ?? 0) + 1);
  }
  const sent = outbox.filter((o) => o.status === 'sent');
  const duplicates = [...caught].filter(([, n]) => n > 1);
  const unsentDelivered = outbox.filter((o) => o.status !== 'sent' && caught.has(o.id));
  const sentMissing = sent.filter((o) => !caught.has(o.id));
  const strangers = [...caught.keys()].filter((id) => !outbox.some((o) => o.id === id));
  const dead = outbox.filter((o) => o.status === 'dead').length;
  for (const [id] of duplicates) {
    const at = smtp.messages
      .filter((m) => m.messageId.includes(id))
      .map((m) => sinceFault(faults.windows, m.receivedAt));
    say(`email ${id} caught ${at.length} times: ${at.join(', ')}`);
  }
  check(
    'one email per outbox row',
    duplicates.length === 0 &&
      sentMissing.length === 0 &&
      strangers.length === 0 &&
      unsentDelivered.length === 0 &&
      dead === 0,
    `${outbox.length} rows (${sent.length} sent, ${dead} dead); ${smtp.messages.length} messages caught; ` +
      `${duplicates.length} Message-IDs twice; ${sentMissing.length} sent rows not caught; ${strangers.length} unknown; ` +
      `${unsentDelivered.length} caught but not marked sent`,
  );

  // Every revocation denied by every API process (during the run, and now by each live process).
  // The rule (SPEC): every API process stops allowing a revoked consent within 1 s. A violation
  // is a request sent more than 1 s after the revocation answered that was still allowed, or no
  // refusal at all, outside an outage of that process or of PostgreSQL or Redis.
  const late = ledger.revoked.filter((r) =>
    api.urls.some((_, slot) => {
      const allowed = r.allowedAfterMs[slot] ?? null;
      const denied = r.deniedAfterMs[slot] ?? null;
      const broken = denied === null || (allowed !== null && allowed > 1000);
      return broken && !excused(faults.windows, { at: r.at, end: r.at + (denied ?? 30_000), target: slot });
    }),
  );
  const lastAllowed = Math.max(0, ...ledger.revoked.flatMap((r) => r.allowedAfterMs.filter((ms) => ms !== null)));
  const finalChecks = await Promise.all(
    ledger.revoked.flatMap((r) =>
      api.urls.map(async (_, slot) => {
        const [decision, data] = await Promise.all([
          api.send(
            'final POST /v1/consent-decisions',
            '/v1/consent-decisions',
            {
              token: actors.gatewayKey,
              json: { accessToken: r.accessToken, scope: 'accounts:read' },
            },
            slot,
          ),
          api.send('final GET /sandbox/v1/accounts', '/sandbox/v1/accounts', { token: r.accessToken }, slot),
        ]);
        return decision.status === 200 && decision.body.allow === false && data.status === 401;
      }),
    ),
  );
  const times = ledger.revoked.flatMap((r) => r.deniedAfterMs.filter((ms): ms is number => ms !== null));
  const latency = summarise(times);
  check(
    'every revocation denied everywhere',
    late.length === 0 && finalChecks.every(Boolean) && ledger.revoked.length > 0,
    `${ledger.revoked.length} revocations × ${api.urls.length} API processes; refusal seen after p50 ${latency.p50.toFixed(0)} ms, ` +
      `p99 ${latency.p99.toFixed(0)} ms, max ${latency.max.toFixed(0)} ms (answer times, polled every 50 ms); ` +
      `last request still allowed sent ${lastAllowed.toFixed(0)} ms after a revocation; ` +
      `${late.length} allowed past 1 s outside an outage; ` +
      `afterwards ${finalChecks.filter(Boolean).length}/${finalChecks.length} denied`,
  );

  // The audit chain.
  const audit = await auditVerify(env);
  check('audit chain verifies', audit.ok === true, JSON.stringify(audit));

  // No 5xx (or failed connection) outside the outage windows.
  const loadSamples = api.samples.filter((s) => !s.op.startsWith('final '));
  const failures = loadSamples.filter((s) => s.status === 0 || s.status >= 500);
  const unexcused = failures.filter((s) => !excused(faults.windows, s));
  const byOp = new Map<string, number>();
  for (const s of unexcused) {
    const key = `${s.op} ${s.status || 'network'} (${sinceFault(faults.windows, s.at)})`;
    byOp.set(key, (byOp.get(key) ?? 0) + 1);
  }
  check(
    'no 5xx outside outage windows',
    unexcused.length === 0,
    `${loadSamples.length} requests; ${failures.length} failed (5xx or network), ${unexcused.length} outside outages` +
      (unexcused.length ? `: ${JSON.stringify(Object.fromEntries(byOp))}` : ''),
  );

  // Readiness told the truth.
  const { judged, lies } = readinessLies(faults.windows, readiness);
  check(
    'readiness told the truth',
    lies.length === 0 && judged > 0,
    `${readiness.length} probes, ${judged} judged (not within ${seconds(READINESS_TOLERANCE_MS)} of a change), ` +
      `${lies.length} wrong${lies.length ? `: ${lies.slice(0, 5).join('; ')}` : ''}`,
  );

  await Promise.all([...fleet.api, ...fleet.workers].filter(alive).map((p) => stop(p)));

  // Figures.
  const w = TIMES.window * 1000;
  const rows2 = faults.windows.map((f) => [
    f.name,
    seconds(f.end - f.start),
    throughput(loadSamples, f.start - w, f.start).toFixed(1),
    throughput(loadSamples, f.start, f.end).toFixed(1),
    throughput(loadSamples, f.end, f.end + w).toFixed(1),
    String(
      loadSamples.filter(
        (s) => (s.status === 0 || s.status >= 500) && s.end >= f.start && s.at <= f.end + RECOVERY_GRACE_MS,
      ).length,
    ),
    f.note,
  ]);
  const opsRows = [...new Set(loadSamples.map((s) => s.op))].sort().map((op) => {
    const of = loadSamples.filter((s) => s.op === op);
    const ok = of.filter((s) => s.status >= 200 && s.status < 400);
    return [
      op,
      String(of.length),
      String(ok.length),
      String(of.filter((s) => s.status >= 500).length),
      String(of.filter((s) => s.status === 0).length),
    ];
  });
  const lines = [
    '',
    `Faults under load (${SHORT ? 'short' : 'full'} run): 2 API + 2 worker processes, private PostgreSQL, Redis (AOF) and SMTP`,
    `load ${seconds(loadEnd - loadStart)}: ${ledger.signups} sign-ups, ${ledger.submitted.length} KYB submissions, ` +
      `${ledger.decided.length} decisions, ${ledger.granted.length} consents granted through OAuth, ${ledger.revoked.length} revoked; ` +
      `flow failures ${JSON.stringify(Object.fromEntries(ledger.flowFailures))}`,
    '',
    'Throughput (successful answers a second, all API processes) before, during and after each fault:',
    table([
      ['fault', 'lasted', `before (${TIMES.window} s)`, 'during', `after (${TIMES.window} s)`, '5xx+network', 'note'],
      ...rows2,
    ]),
    '',
    'Requests by operation:',
    table([['operation', 'sent', '2xx/3xx', '5xx', 'network'], ...opsRows]),
    '',
    'Invariants:',
    ...invariants.map((i) => `  ${i.ok ? 'PASS' : 'FAIL'}  ${i.name}: ${i.detail}`),
    '',
    invariants.every((i) => i.ok) ? 'ALL INVARIANTS HOLD' : 'SOME INVARIANTS FAILED',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!invariants.every((i) => i.ok)) process.exitCode = 2;
}

if (require.main === module) runBench('faults bench', main);
