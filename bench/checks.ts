import 'reflect-metadata';
import { Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import { ChecksProcessor } from '../src/kyc/checks/checks.processor';
import { mrzCheckDigit } from '../src/kyc/checks/rules/mrz';
import { JobName, QUEUE_SETTINGS, QueueName } from '../src/queue/queue.registry';
import { pngImage } from '../test/harness/images';
import { nonNegativeInteger, positiveInteger } from './lib/env';
import { signedInDeveloper, startGatehouse } from './lib/gatehouse';
import { runBench } from './lib/runner';
import { LatencySummary, summarise, table } from './lib/stats';
import { cleanups } from './lib/throwaway';

/**
 * Checks pipeline benchmark: submit → pending_review latency under a steady stream of submissions.
 *
 *  1. Starts the real Gatehouse (`createHttpApp`, role `all`, so the BullMQ workers and the checks
 *     dispatcher run in this process) on a throwaway database, Redis prefix and VAR_DIR.
 *  2. Prepares BENCH_CHECKS_SUBMISSIONS organisations (plus BENCH_CHECKS_WARMUP for a warm-up)
 *     before anything is measured: developer, organisations, memberships and directors are
 *     written straight into PostgreSQL; each organisation's two documents go through the real
 *     upload endpoint (a passport PNG with a valid TD3 MRZ and a unique document number, and a
 *     certificate-of-incorporation PDF), so they are encrypted and stored. Every file is unique
 *     (PNG seed and width, a `% comment` line in the PDF), so the duplicate check passes.
 *  3. Warm-up: the warm-up organisations are submitted at the same rate and awaited (discarded).
 *  4. Measured: `POST /v1/organisations/:orgId/verification/submit` at a steady BENCH_CHECKS_RATE
 *     per second (open loop: a slow answer does not delay the next submit). The transition time
 *     is the `created_at` of the `verification.checks_completed` audit entry (written in the same
 *     transaction that moves the case to pending_review), read incrementally every 50 ms by audit
 *     id. Latency = that time − the moment the 202 answer reached the client (same clock).
 *     BullMQ jobs are observed through the checks worker's `completed` events (added, started,
 *     finished), which gives jobs/s and a breakdown of where the time goes.
 *  5. Prints p50/p95/p99/max, jobs/s, PASS/FAIL against p95 ≤ 2 s, and the breakdown.
 *
 *   npx ts-node --transpile-only bench/checks.ts
 *
 * Environment (all optional):
 *   BENCH_CHECKS_SUBMISSIONS            measured submissions (default 1000)
 *   BENCH_CHECKS_RATE                   submissions per second (default 20)
 *   BENCH_CHECKS_WARMUP                 warm-up submissions, not measured (default 20)
 *   BENCH_CHECKS_UPLOAD_CONCURRENCY     uploads at once while preparing (default 8)
 *   TEST_POSTGRES_URL, TEST_REDIS_URL   servers to use (default 127.0.0.1:5432 and :6379)
 */

const GOAL_P95_MS = 2000;
const POLL_MS = 50;
/** After the last submit, how long to wait for the stragglers before giving up. */
const DRAIN_TIMEOUT_MS = 120_000;
const RATE_LIMIT_PER_MINUTE = '1000000';
const CERTIFICATE = readFileSync(
  join(__dirname, '..', 'test', 'fixtures', 'uploads', 'certificate-of-incorporation.pdf'),
);
const CHECK_JOBS: readonly string[] = [JobName.CheckDocument, JobName.CheckOrganisation];

const DIRECTOR = { firstName: 'James', lastName: 'Smith', dateOfBirth: '1980-02-03', nationality: 'GB' };
const PASSPORT_EXPIRES = '2031-04-15';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Preparation: developer, organisations, directors in SQL; documents over HTTP.

interface PreparedOrg {
  id: string;
  personId: string;
  index: number;
  documentIds: string[];
}

/** A TD3 (passport) MRZ for the bench director with the given document number, check digits computed. */
function passportMrz(documentNumber: string): string {
  const pad = (s: string, n: number) => s.padEnd(n, '<');
  const line1 = pad(`P<GBR${DIRECTOR.lastName.toUpperCase()}<<${DIRECTOR.firstName.toUpperCase()}`, 44);
  const number = pad(documentNumber, 9);
  const dob = DIRECTOR.dateOfBirth.slice(2).replace(/-/g, '');
  const expiry = PASSPORT_EXPIRES.slice(2).replace(/-/g, '');
  const optional = pad('', 14);
  const numberPart = `${number}${mrzCheckDigit(number)}`;
  const dobPart = `${dob}${mrzCheckDigit(dob)}`;
  const expiryPart = `${expiry}${mrzCheckDigit(expiry)}`;
  const optionalPart = `${optional}${mrzCheckDigit(optional)}`;
  const composite = mrzCheckDigit(`${numberPart}${dobPart}${expiryPart}${optionalPart}`);
  const line2 = `${numberPart}GBR${dobPart}M${expiryPart}${optionalPart}${composite}`;
  if (line2.length !== 44) throw new Error(`built an MRZ line 2 of ${line2.length} characters`);
  return `${line1}\n${line2}`;
}

const documentNumber = (index: number) => `B${String(index).padStart(8, '0')}`;

/** A unique PNG per organisation: pngImage repeats its pixels every 256 seeds, so the width changes too. */
const passportScan = (index: number) => pngImage(120 + Math.floor(index / 256), 80, index % 256);

/** The fixture certificate with a unique `%` comment line before a final `%%EOF`. */
const certificate = (orgId: string) => Buffer.concat([CERTIFICATE, Buffer.from(`% bench ${orgId}\n%%EOF\n`)]);

/** Organisations (unregulated, GB, valid company number), owner membership and one director each. */
async function insertOrganisations(client: Client, userId: string, count: number): Promise<PreparedOrg[]> {
  await client.query('BEGIN');
  try {
    const orgs = await client.query<{ id: string; n: number }>(
      `INSERT INTO organisations (legal_name, registration_number, country, registered_address, regulatory_status, created_by, verification_reasons, requested_items)
       SELECT 'Bench Checks ' || lpad(g::text, 5, '0') || ' Ltd', lpad((10000000 + g)::text, 8, '0'), 'GB',
              '{"line1":"1 King St","city":"London","postcode":"EC2V 8AU","country":"GB"}'::jsonb, '{"type":"unregulated"}'::jsonb,
              $1, '[]'::jsonb, '[]'::jsonb
         FROM generate_series(1, $2::int) g
       RETURNING id, substring(legal_name from 14 for 5)::int AS n`,
      [userId, count],
    );
    await client.query(
      `INSERT INTO organisation_members (organisation_id, user_id, role) SELECT unnest($1::uuid[]), $2, 'owner'`,
      [orgs.rows.map((o) => o.id), userId],
    );
    const people = await client.query<{ id: string; organisation_id: string }>(
      `INSERT INTO people (organisation_id, first_name, last_name, date_of_birth, nationality, roles)
       SELECT unnest($1::uuid[]), $2, $3, $4::date, $5, ARRAY['director']
       RETURNING id, organisation_id`,
      [orgs.rows.map((o) => o.id), DIRECTOR.firstName, DIRECTOR.lastName, DIRECTOR.dateOfBirth, DIRECTOR.nationality],
    );
    await client.query('COMMIT');
    const personOf = new Map(people.rows.map((p) => [p.organisation_id, p.id]));
    return orgs.rows
      .map((o) => ({ id: o.id, personId: personOf.get(o.id)!, index: o.n, documentIds: [] }))
      .sort((a, b) => a.index - b.index);
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

async function uploadDocument(
  baseUrl: string,
  token: string,
  orgId: string,
  file: Buffer,
  mime: string,
  fileName: string,
  fields: Record<string, string>,
): Promise<string> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file], { type: mime }), fileName);
  const res = await fetch(`${baseUrl}/v1/organisations/${orgId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  if (res.status !== 201)
    throw new Error(`upload ${fields.type} for ${orgId} answered ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** Runs `tasks` with at most `concurrency` at once; rejects on the first failure. */
async function pool(concurrency: number, tasks: Array<() => Promise<void>>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

async function uploadDocuments(
  baseUrl: string,
  token: string,
  orgs: PreparedOrg[],
  concurrency: number,
): Promise<void> {
  const tasks: Array<() => Promise<void>> = [];
  for (const org of orgs) {
    tasks.push(async () => {
      org.documentIds.push(
        await uploadDocument(baseUrl, token, org.id, passportScan(org.index), 'image/png', 'passport.png', {
          type: 'passport',
          personId: org.personId,
          documentNumber: documentNumber(org.index),
          issuingCountry: 'GB',
          expiresOn: PASSPORT_EXPIRES,
          mrz: passportMrz(documentNumber(org.index)),
        }),
      );
    });
    tasks.push(async () => {
      org.documentIds.push(
        await uploadDocument(baseUrl, token, org.id, certificate(org.id), 'application/pdf', 'certificate.pdf', {
          type: 'certificate_of_incorporation',
        }),
      );
    });
  }
  await pool(concurrency, tasks);
}

// ---------------------------------------------------------------------------------------------
// Observation: audit entries (transition times) and BullMQ jobs (worker events).

interface JobRecord {
  name: string;
  orgId: string;
  addedAt: number;
  startedAt: number;
  finishedAt: number;
  attempts: number;
}

class JobObserver {
  readonly completed: JobRecord[] = [];
  failedAttempts = 0;

  constructor(
    private readonly orgOfDocument: Map<string, string>,
    processor: ChecksProcessor,
  ) {
    processor.worker.on('completed', (job: Job) => {
      if (!CHECK_JOBS.includes(job.name)) return;
      const data = job.data as { documentId?: string; organisationId?: string };
      const orgId = data.organisationId ?? this.orgOfDocument.get(data.documentId ?? '') ?? '?';
      this.completed.push({
        name: job.name,
        orgId,
        addedAt: job.timestamp,
        startedAt: job.processedOn ?? Number.NaN,
        finishedAt: job.finishedOn ?? Date.now(),
        attempts: job.attemptsMade,
      });
    });
    processor.worker.on('failed', () => {
      this.failedAttempts++;
    });
  }
}

/** Reads `verification.submit` and `verification.checks_completed` audit entries by increasing id. */
class AuditTail {
  private lastId = '0';
  private timer?: NodeJS.Timeout;
  private busy = false;
  polls = 0;
  pollMsTotal = 0;
  readonly submittedAt = new Map<string, number>();
  readonly completedAt = new Map<string, number>();
  error?: Error;

  constructor(private readonly client: Client) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const started = performance.now();
    try {
      // Ids come from the audit head row, locked until commit, so commit order is id order.
      const r = await this.client.query<{ id: string; action: string; subject_id: string; created_at: Date }>(
        `SELECT id, action, subject_id, created_at FROM audit_entries
          WHERE id > $1 AND action IN ('verification.submit', 'verification.checks_completed') ORDER BY id`,
        [this.lastId],
      );
      for (const row of r.rows) {
        (row.action === 'verification.submit' ? this.submittedAt : this.completedAt).set(
          row.subject_id,
          row.created_at.getTime(),
        );
      }
      if (r.rows.length > 0) this.lastId = r.rows[r.rows.length - 1]!.id;
      this.polls++;
      this.pollMsTotal += performance.now() - started;
    } catch (e) {
      this.error = e as Error;
    } finally {
      this.busy = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The submission stream.

interface Submission {
  orgId: string;
  scheduledAt: number;
  sentAt: number;
  answeredAt: number;
  status: number;
  body: string;
}

async function submit(baseUrl: string, token: string, orgId: string, scheduledAt: number): Promise<Submission> {
  const sentAt = Date.now();
  const res = await fetch(`${baseUrl}/v1/organisations/${orgId}/verification/submit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const answeredAt = Date.now();
  const body = await res.text();
  return { orgId, scheduledAt, sentAt, answeredAt, status: res.status, body };
}

/** Open loop: submission i is sent at start + i / rate, whether or not earlier ones have answered. */
async function submitAtRate(baseUrl: string, token: string, orgs: PreparedOrg[], rate: number): Promise<Submission[]> {
  const interval = 1000 / rate;
  const start = Date.now();
  const inFlight: Array<Promise<Submission>> = [];
  for (let i = 0; i < orgs.length; i++) {
    const at = start + i * interval;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(submit(baseUrl, token, orgs[i]!.id, at));
  }
  return Promise.all(inFlight);
}

async function waitForAll(tail: AuditTail, orgIds: string[], deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (tail.error) throw tail.error;
    if (orgIds.every((id) => tail.completedAt.has(id))) return;
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const row = (label: string, s: LatencySummary) => [
  label,
  String(s.count),
  fmt(s.p50),
  fmt(s.p95),
  fmt(s.p99),
  fmt(s.max),
  fmt(s.mean),
];

interface Breakdown {
  label: string;
  samples: number[];
}

async function main(): Promise<void> {
  const n = positiveInteger('BENCH_CHECKS_SUBMISSIONS', 1000);
  const rate = positiveInteger('BENCH_CHECKS_RATE', 20);
  const warmup = nonNegativeInteger('BENCH_CHECKS_WARMUP', 20);
  const uploadConcurrency = positiveInteger('BENCH_CHECKS_UPLOAD_CONCURRENCY', 8);

  const gatehouse = await startGatehouse({
    role: 'all',
    env: { RATE_LIMIT_PER_MINUTE, MASTER_KEY: randomBytes(32).toString('base64') },
  });
  const dev = await signedInDeveloper(gatehouse, 'bench-checks');
  const db = new Client({ connectionString: gatehouse.database.url, application_name: 'gatehouse-bench-checks' });
  await db.connect();
  cleanups.unshift({ what: 'close bench pg client', run: () => db.end() });

  // ---- preparation
  const prepStarted = Date.now();
  const all = await insertOrganisations(db, dev.userId, warmup + n);
  process.stderr.write(
    `prepared ${all.length} organisations in SQL (${Date.now() - prepStarted} ms); uploading ${all.length * 2} documents at ${uploadConcurrency} at once ...\n`,
  );
  const uploadStarted = Date.now();
  await uploadDocuments(gatehouse.baseUrl, dev.token, all, uploadConcurrency);
  const uploadSeconds = (Date.now() - uploadStarted) / 1000;
  const docCount = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents`)).rows[0]!.n;
  if (docCount !== all.length * 2) throw new Error(`expected ${all.length * 2} documents, found ${docCount}`);
  const storedCount = (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM organisations WHERE verification_status = 'unverified'`,
    )
  ).rows[0]!.n;
  if (storedCount !== all.length)
    throw new Error(`expected ${all.length} unverified organisations, found ${storedCount}`);
  process.stderr.write(
    `uploaded ${docCount} documents in ${fmt(uploadSeconds, 1)} s (${fmt(docCount / uploadSeconds, 1)} uploads/s); preparation ${fmt((Date.now() - prepStarted) / 1000, 1)} s\n`,
  );

  const orgOfDocument = new Map<string, string>();
  for (const o of all) for (const d of o.documentIds) orgOfDocument.set(d, o.id);
  const observer = new JobObserver(orgOfDocument, gatehouse.app.get(ChecksProcessor));
  const tail = new AuditTail(db);
  tail.start();
  cleanups.unshift({ what: 'stop audit tail', run: async () => tail.stop() });

  // ---- warm-up (discarded)
  const warm = all.slice(0, warmup);
  const measured = all.slice(warmup);
  if (warm.length > 0) {
    process.stderr.write(`warm-up: ${warm.length} submissions at ${rate}/s ...`);
    const ws = await submitAtRate(gatehouse.baseUrl, dev.token, warm, rate);
    const bad = ws.filter((s) => s.status !== 202);
    if (bad.length > 0) throw new Error(`warm-up submit answered ${bad[0]!.status} ${bad[0]!.body.slice(0, 300)}`);
    await waitForAll(
      tail,
      warm.map((o) => o.id),
      Date.now() + DRAIN_TIMEOUT_MS,
    );
    const missing = warm.filter((o) => !tail.completedAt.has(o.id)).length;
    if (missing > 0) throw new Error(`warm-up: ${missing} submissions never reached pending_review`);
    process.stderr.write(' done\n');
  }
  const warmJobs = observer.completed.length;

  // ---- measured phase
  process.stderr.write(
    `measured: ${measured.length} submissions at ${rate}/s (~${fmt(measured.length / rate)} s) ...\n`,
  );
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const phaseStarted = Date.now();
  const submissions = await submitAtRate(gatehouse.baseUrl, dev.token, measured, rate);
  const lastSubmitAnswered = Math.max(...submissions.map((s) => s.answeredAt));
  const ids = measured.map((o) => o.id);
  await waitForAll(tail, ids, lastSubmitAnswered + DRAIN_TIMEOUT_MS);
  await tail.poll();
  // Give the worker a moment to emit `completed` for the last jobs (the transition commits inside the job).
  await sleep(300);
  const phaseEnded = Math.max(...ids.map((id) => tail.completedAt.get(id) ?? 0), lastSubmitAnswered);
  const wallSeconds = (phaseEnded - phaseStarted) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  tail.stop();

  // ---- figures
  const rejected = submissions.filter((s) => s.status !== 202);
  const accepted = submissions.filter((s) => s.status === 202);
  const reached = accepted.filter((s) => tail.completedAt.has(s.orgId));
  const missing = accepted.length - reached.length;
  const latencies = reached.map((s) => tail.completedAt.get(s.orgId)! - s.answeredAt);
  const latency = summarise(latencies);
  const submitLatency = summarise(submissions.map((s) => s.answeredAt - s.sentAt));
  const sendLag = summarise(submissions.map((s) => s.sentAt - s.scheduledAt));
  const actualRate =
    (submissions.length - 1) / ((submissions[submissions.length - 1]!.sentAt - submissions[0]!.sentAt) / 1000);

  const measuredIds = new Set(ids);
  const jobs = observer.completed.slice(warmJobs).filter((j) => measuredIds.has(j.orgId));
  const jobsPerSecond = jobs.length / wallSeconds;
  const expectedJobs = accepted.length * 3;

  // Breakdown per submission: submit answered → first job added (dispatcher poll) → last job started (queue wait) → done.
  const jobsOf = new Map<string, JobRecord[]>();
  for (const j of jobs) jobsOf.set(j.orgId, [...(jobsOf.get(j.orgId) ?? []), j]);
  const dispatchWait: number[] = [];
  const queueWait: number[] = [];
  const lastJobRun: number[] = [];
  const serverSubmitToDone: number[] = [];
  for (const s of reached) {
    const js = jobsOf.get(s.orgId);
    const done = tail.completedAt.get(s.orgId)!;
    const submittedServer = tail.submittedAt.get(s.orgId);
    if (submittedServer !== undefined) serverSubmitToDone.push(done - submittedServer);
    if (!js || js.length === 0) continue;
    const firstAdded = Math.min(...js.map((j) => j.addedAt));
    const lastStarted = Math.max(...js.map((j) => j.startedAt));
    dispatchWait.push(firstAdded - s.answeredAt);
    queueWait.push(lastStarted - firstAdded);
    lastJobRun.push(done - lastStarted);
  }
  const perJob = (name: string) => jobs.filter((j) => j.name === name).map((j) => j.finishedAt - j.startedAt);
  const jobQueueWait = summarise(jobs.map((j) => j.startedAt - j.addedAt));
  const breakdown: Breakdown[] = [
    { label: 'submit 202 → first job added (dispatcher)', samples: dispatchWait },
    { label: 'first job added → last job started (queue)', samples: queueWait },
    { label: 'last job started → pending_review', samples: lastJobRun },
    { label: 'job run, checks.document', samples: perJob(JobName.CheckDocument) },
    { label: 'job run, checks.organisation', samples: perJob(JobName.CheckOrganisation) },
    { label: 'job added → started (every job)', samples: jobs.map((j) => j.startedAt - j.addedAt) },
  ];

  // Dispatcher ticks: jobs added within 150 ms of each other belong to one tick.
  const addedTimes = [...new Set(jobs.map((j) => j.addedAt))].sort((a, b) => a - b);
  const ticks: Array<{ first: number; last: number; jobs: number }> = [];
  for (const t of addedTimes) {
    const tick = ticks[ticks.length - 1];
    if (tick && t - tick.last < 150) {
      tick.last = t;
      tick.jobs++;
    } else ticks.push({ first: t, last: t, jobs: 1 });
  }
  const tickGaps = ticks.slice(1).map((t, i) => t.first - ticks[i]!.first);
  const tickSpans = ticks.map((t) => t.last - t.first);

  const outcomes = await db.query<{ name: string; result: string; n: number }>(
    `SELECT name, result, count(*)::int AS n FROM checks WHERE organisation_id = ANY($1::uuid[]) GROUP BY name, result ORDER BY name, result`,
    [ids],
  );
  const risks = await db.query<{ risk_level: string | null; n: number }>(
    `SELECT risk_level, count(*)::int AS n FROM organisations WHERE id = ANY($1::uuid[]) AND verification_status = 'pending_review' GROUP BY risk_level ORDER BY risk_level`,
    [ids],
  );

  const pass = latency.count > 0 && missing === 0 && rejected.length === 0 && latency.p95 <= GOAL_P95_MS;
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Checks pipeline bench: node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}, load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  lines.push(
    `checks queue concurrency ${QUEUE_SETTINGS[QueueName.Checks].concurrency}, dispatcher polls every 1 s; ` +
      `${all.length} organisations prepared (${warm.length} warm-up), ${docCount} documents uploaded in ${fmt(uploadSeconds, 1)} s at ${uploadConcurrency} at once`,
  );
  lines.push(
    `measured: ${submissions.length} submissions, target ${rate}/s, achieved ${fmt(actualRate, 2)}/s (send lag p95 ${fmt(sendLag.p95)} ms, max ${fmt(sendLag.max)} ms); ` +
      `${accepted.length} answered 202, ${rejected.length} other${rejected.length ? ` (first: ${rejected[0]!.status} ${rejected[0]!.body.slice(0, 200)})` : ''}; ` +
      `${reached.length} reached pending_review, ${missing} did not within ${DRAIN_TIMEOUT_MS / 1000} s`,
  );
  lines.push('');
  lines.push(
    table([
      ['ms', 'n', 'p50', 'p95', 'p99', 'max', 'mean'],
      row('submit 202 → pending_review', latency),
      row('(server) submit audit → pending_review', summarise(serverSubmitToDone)),
      row('POST submit round trip', submitLatency),
    ]),
  );
  lines.push('');
  lines.push(`p95 ${fmt(latency.p95)} ms vs goal ≤ ${GOAL_P95_MS} ms: ${pass ? 'PASS' : 'FAIL'}`);
  lines.push(
    `jobs: ${jobs.length} check jobs completed (expected ${expectedJobs} = 3 per submission: 1 organisation + 2 documents), ` +
      `${observer.failedAttempts} failed attempts; wall time ${fmt(wallSeconds, 1)} s (first submit → last pending_review): ${fmt(jobsPerSecond, 1)} jobs/s, ` +
      `${fmt(reached.length / wallSeconds, 1)} submissions/s`,
  );
  lines.push(
    `check results: ${outcomes.rows.map((o) => `${o.name} ${o.result} ${o.n}`).join(', ')}; risk: ${risks.rows.map((r) => `${r.risk_level ?? 'null'} ${r.n}`).join(', ')}`,
  );
  lines.push('');
  lines.push('where the time goes (ms):');
  lines.push(
    table([
      ['stage', 'n', 'p50', 'p95', 'p99', 'max', 'mean'],
      ...breakdown.map((b) => row(b.label, summarise(b.samples))),
    ]),
  );
  lines.push(
    `dispatcher: ${ticks.length} ticks that added jobs; gap between ticks p50 ${fmt(summarise(tickGaps).p50)} ms, max ${fmt(summarise(tickGaps).max)} ms; ` +
      `time to add one tick's jobs p50 ${fmt(summarise(tickSpans).p50)} ms, max ${fmt(summarise(tickSpans).max)} ms; jobs per tick p50 ${fmt(summarise(ticks.map((t) => t.jobs)).p50)}`,
  );
  lines.push(
    `queue wait (added → started), every job: p50 ${fmt(jobQueueWait.p50)} ms, p95 ${fmt(jobQueueWait.p95)} ms`,
  );
  lines.push(
    `process (app + client): CPU ${fmt(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100)}% of one core; event-loop delay p50 ${fmt(loopDelay.percentile(50) / 1e6, 1)} ms, ` +
      `p99 ${fmt(loopDelay.percentile(99) / 1e6, 1)} ms, max ${fmt(loopDelay.max / 1e6, 1)} ms; audit tail: ${tail.polls} polls, mean ${fmt(tail.pollMsTotal / Math.max(1, tail.polls), 1)} ms`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) runBench('checks bench', main);
