import 'reflect-metadata';
import { NestExpressApplication } from '@nestjs/platform-express';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/config';
import { MailService } from '../src/notifications/mail.service';
import { OutboxService } from '../src/notifications/outbox.service';
import { renderEmail } from '../src/notifications/templates/catalogue';
import { positiveInteger } from './lib/env';
import { initGatehouse } from './lib/gatehouse';
import { runBench } from './lib/runner';
import { SmtpRecorder, nowMs } from './lib/smtp-recorder';
import { LatencySummary, summarise, table } from './lib/stats';
import { cleanups } from './lib/throwaway';

/**
 * Mail benchmark: email latency and throughput through the real outbox → relay → BullMQ → SMTP
 * pipeline, against a bare pooled nodemailer transport sending to the same local SMTP listener.
 *
 *   npx ts-node --transpile-only bench/mail.ts
 *
 * Environment (all optional):
 *   BENCH_MAIL_SECONDS       paced phases' duration in seconds (default 60)
 *   BENCH_MAIL_RATE          paced phases' rate, emails per second (default 50)
 *   BENCH_MAIL_PEAK          emails in each peak phase (default 3000)
 *   BENCH_MAIL_PEAK_TX       transactions the Gatehouse peak batch is written in (default 3)
 *   BENCH_MAIL_TIMEOUT       seconds to wait for the last email of a phase to arrive (default 60)
 *   TEST_POSTGRES_URL, TEST_REDIS_URL  servers to use (default 127.0.0.1:5432 and :6379)
 *
 * Everything runs in this one process: the SMTP listener, the load generator and the app.
 */

const P95_TARGET_MS = 1_000;
const PEAK_TARGET_PER_S = 200;
const WARMUP_EMAILS = 20;
const PUBLIC_URL = 'https://developer.bank.example';
const FROM = 'Gatehouse <no-reply@gatehouse.local>';

interface Settings {
  seconds: number;
  rate: number;
  peak: number;
  peakTransactions: number;
  timeoutMs: number;
}

function settingsFromEnv(): Settings {
  return {
    seconds: positiveInteger('BENCH_MAIL_SECONDS', 60),
    rate: positiveInteger('BENCH_MAIL_RATE', 50),
    peak: positiveInteger('BENCH_MAIL_PEAK', 3_000),
    peakTransactions: positiveInteger('BENCH_MAIL_PEAK_TX', 3),
    timeoutMs: positiveInteger('BENCH_MAIL_TIMEOUT', 60) * 1_000,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

// ---------------------------------------------------------------------------------------------
// Resources and cleanup

async function startSmtp(): Promise<SmtpRecorder> {
  const smtp = await new SmtpRecorder().start();
  cleanups.unshift({ what: 'stop SMTP listener', run: () => smtp.stop() });
  return smtp;
}

interface Gatehouse {
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  outbox: OutboxService;
  messageIdFor(outboxId: string): string;
}

/** The real app (role `all`: API, relay and mail worker) on a throwaway database and Redis prefix. */
async function startGatehouse(smtpUrl: string): Promise<Gatehouse> {
  const { app, config } = await initGatehouse({ role: 'all', label: 'mail', env: { SMTP_URL: smtpUrl, PUBLIC_URL } });
  const mail = app.get(MailService);
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    outbox: app.get(OutboxService),
    messageIdFor: (id) => mail.messageIdFor(id),
  };
}

// ---------------------------------------------------------------------------------------------
// Load shapes

interface PacedRun {
  /** Rate actually achieved by the generator, per second. */
  achievedRate: number;
  /** How late the generator fired its worst message (event-loop stalls show up here). */
  maxScheduleLagMs: number;
}

/**
 * Open-loop pacing: message i is fired at start + i/rate whether or not earlier ones have
 * finished, so a slow pipeline cannot slow the generator down and hide its own latency.
 */
async function paced(rate: number, seconds: number, fire: (i: number) => Promise<void>): Promise<PacedRun> {
  const n = rate * seconds;
  const interval = 1_000 / rate;
  const start = nowMs() + 5;
  const inflight: Promise<void>[] = [];
  let maxLag = 0;
  for (let i = 0; i < n; i++) {
    const due = start + i * interval;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    maxLag = Math.max(maxLag, nowMs() - due);
    inflight.push(fire(i));
  }
  const lastFired = nowMs();
  await Promise.all(inflight);
  return { achievedRate: n > 1 ? ((n - 1) * 1_000) / (lastFired - start) : Number.NaN, maxScheduleLagMs: maxLag };
}

/** Arrival minus start, per id, for the ids that arrived. */
function latencies(starts: Map<string, number>, smtp: SmtpRecorder): number[] {
  const out: number[] = [];
  for (const [messageId, t0] of starts) {
    const at = smtp.arrivals.get(messageId);
    if (at !== undefined) out.push(at - t0);
  }
  return out;
}

function lastArrival(ids: Iterable<string>, smtp: SmtpRecorder): number {
  let last = -Infinity;
  for (const id of ids) last = Math.max(last, smtp.arrivals.get(id) ?? -Infinity);
  return last;
}

/** Emails arriving per second, in 1 s buckets from `from`: the shape of a drain. */
function timeline(ids: Iterable<string>, smtp: SmtpRecorder, from: number): string {
  const buckets: number[] = [];
  for (const id of ids) {
    const at = smtp.arrivals.get(id);
    if (at === undefined) continue;
    const b = Math.max(0, Math.floor((at - from) / 1_000));
    while (buckets.length <= b) buckets.push(0);
    buckets[b]!++;
  }
  return buckets.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Baseline: bare nodemailer

function bareTransport(url: string): Transporter {
  // A pooled transport with the pool options Gatehouse's smtpTransport means to use
  // (src/notifications/mail-transport.ts). The options go in the first argument together with the
  // URL: nodemailer reads a second argument as default message fields, not transport options.
  const options: SMTPPool.Options = {
    url,
    pool: true,
    maxConnections: 10,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
  return nodemailer.createTransport(options);
}

/** The same content Gatehouse sends for a verify-email row, so both sides move the same bytes. */
function bareMessage(tag: string, i: number): SendMailOptions & { messageId: string } {
  const rendered = renderEmail(
    'verify-email',
    { name: `Bench ${i}`, token: randomBytes(24).toString('base64url') },
    { publicUrl: PUBLIC_URL },
  );
  return {
    from: FROM,
    to: `${tag}-${i}@bench.example`,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId: `<bare-${tag}-${i}-${randomBytes(4).toString('hex')}@gatehouse.local>`,
    headers: { 'X-Gatehouse-Template': 'verify-email' },
  };
}

interface BaselineResult {
  peakPerSecond: number;
  peakSeconds: number;
  paced: LatencySummary;
  /** sendMail() call to its promise resolving (the 250 reply reaching nodemailer). */
  pacedResolve: LatencySummary;
  pacedRun: PacedRun;
  /** SMTP connections the listener accepted during each phase. */
  connections: { peak: number; paced: number };
  missing: number;
}

async function runBaseline(smtp: SmtpRecorder, settings: Settings): Promise<BaselineResult> {
  const transport = bareTransport(smtp.url);
  cleanups.unshift({ what: 'close bare transport', run: async () => transport.close() });
  let missing = 0;

  // Warm-up: opens the pool's connections and warms the JIT; not measured.
  await Promise.all(Array.from({ length: WARMUP_EMAILS }, (_, i) => transport.sendMail(bareMessage('warm', i))));

  log(`baseline peak: ${settings.peak} messages through bare nodemailer ...`);
  const peakMessages = Array.from({ length: settings.peak }, (_, i) => bareMessage('peak', i));
  const peakConnections = smtp.connections;
  const peakStart = nowMs();
  await Promise.all(peakMessages.map((m) => transport.sendMail(m)));
  const peakIds = peakMessages.map((m) => m.messageId);
  missing += await smtp.waitForAll(peakIds, nowMs() + settings.timeoutMs);
  const peakSeconds = (lastArrival(peakIds, smtp) - peakStart) / 1_000;
  const peakPerSecond = settings.peak / peakSeconds;
  const connections = { peak: smtp.connections - peakConnections, paced: 0 };
  log(`  ${fmt(peakPerSecond)} msgs/s (${settings.peak} in ${fmt(peakSeconds, 2)} s)`);

  log(`baseline paced: ${settings.rate}/s for ${settings.seconds} s through bare nodemailer ...`);
  const starts = new Map<string, number>();
  const resolved: number[] = [];
  const pacedConnections = smtp.connections;
  const pacedRun = await paced(settings.rate, settings.seconds, async (i) => {
    const message = bareMessage('paced', i);
    const t0 = nowMs();
    starts.set(message.messageId, t0);
    await transport.sendMail(message);
    resolved.push(nowMs() - t0);
  });
  missing += await smtp.waitForAll(starts.keys(), nowMs() + settings.timeoutMs);
  connections.paced = smtp.connections - pacedConnections;
  const pacedSummary = summarise(latencies(starts, smtp));
  log(
    `  p50 ${fmt(pacedSummary.p50, 1)} ms, p95 ${fmt(pacedSummary.p95, 1)} ms (generator ${fmt(pacedRun.achievedRate, 1)}/s)`,
  );

  transport.close();
  return {
    peakPerSecond,
    peakSeconds,
    paced: pacedSummary,
    pacedResolve: summarise(resolved),
    pacedRun,
    connections,
    missing,
  };
}

// ---------------------------------------------------------------------------------------------
// Gatehouse

interface RowTimes {
  messageId: string;
  commit: number;
  queued?: number;
  sent?: number;
  attempts: number;
  status: string;
}

/** queued_at and sent_at of the given rows, as epoch milliseconds (the database's clock). */
async function rowTimes(g: Gatehouse, commits: Map<string, number>): Promise<RowTimes[]> {
  const ids = [...commits.keys()];
  const out: RowTimes[] = [];
  for (let i = 0; i < ids.length; i += 1_000) {
    const rows = (await g.dataSource.query(
      `SELECT id, extract(epoch FROM queued_at) * 1000 AS queued, extract(epoch FROM sent_at) * 1000 AS sent, attempts, status
         FROM outbox_messages WHERE id = ANY($1::uuid[])`,
      [ids.slice(i, i + 1_000)],
    )) as { id: string; queued: string | null; sent: string | null; attempts: number; status: string }[];
    for (const r of rows) {
      out.push({
        messageId: g.messageIdFor(r.id),
        commit: commits.get(r.id)!,
        queued: r.queued === null ? undefined : Number(r.queued),
        sent: r.sent === null ? undefined : Number(r.sent),
        attempts: r.attempts,
        status: r.status,
      });
    }
  }
  return out;
}

interface Stages {
  /** Commit → the relay's hand-off transaction (queued_at). */
  relay: LatencySummary;
  /** queued_at → SMTP arrival: BullMQ pick-up, the processor's reads, rendering and the send. */
  queueToArrival: LatencySummary;
  retried: number;
  notSent: number;
}

function stages(rows: RowTimes[], smtp: SmtpRecorder): Stages {
  const relay: number[] = [];
  const queueToArrival: number[] = [];
  for (const r of rows) {
    if (r.queued !== undefined) relay.push(r.queued - r.commit);
    const at = smtp.arrivals.get(r.messageId);
    if (r.queued !== undefined && at !== undefined) queueToArrival.push(at - r.queued);
  }
  return {
    relay: summarise(relay),
    queueToArrival: summarise(queueToArrival),
    retried: rows.filter((r) => r.attempts > 1).length,
    notSent: rows.filter((r) => r.status !== 'sent').length,
  };
}

interface GatehouseResult {
  paced: LatencySummary;
  pacedRun: PacedRun;
  pacedCommit: LatencySummary;
  pacedStages: Stages;
  peakPerSecond: number;
  peakSeconds: number;
  peakInsertSeconds: number;
  peakAfterLastCommitSeconds: number;
  peakAllQueuedSeconds: number;
  peakStages: Stages;
  peakTimeline: string;
  /** SMTP connections the listener accepted during each phase. */
  connections: { peak: number; paced: number };
  missing: number;
}

async function enqueueOne(g: Gatehouse, tag: string, i: number): Promise<string> {
  return g.dataSource.transaction((m) =>
    g.outbox.enqueue(m, `${tag}-${i}@bench.example`, 'verify-email', {
      name: `Bench ${i}`,
      token: randomBytes(24).toString('base64url'),
    }),
  );
}

async function runGatehouse(g: Gatehouse, smtp: SmtpRecorder, settings: Settings): Promise<GatehouseResult> {
  let missing = 0;

  // Warm-up: the relay, the worker, the SMTP pool and the JIT; not measured.
  const warm: string[] = [];
  for (let i = 0; i < WARMUP_EMAILS; i++) warm.push(g.messageIdFor(await enqueueOne(g, 'warm', i)));
  const warmMissing = await smtp.waitForAll(warm, nowMs() + settings.timeoutMs);
  if (warmMissing > 0)
    throw new Error(`warm-up: ${warmMissing} of ${WARMUP_EMAILS} emails never arrived; is the pipeline working?`);

  log(`gatehouse paced: ${settings.rate}/s for ${settings.seconds} s, one transaction per email ...`);
  const commits = new Map<string, number>();
  const starts = new Map<string, number>();
  const commitDurations: number[] = [];
  const pacedConnections = smtp.connections;
  const pacedRun = await paced(settings.rate, settings.seconds, async (i) => {
    const t0 = nowMs();
    const id = await enqueueOne(g, 'paced', i);
    const committed = nowMs();
    commitDurations.push(committed - t0);
    commits.set(id, committed);
    starts.set(g.messageIdFor(id), committed);
  });
  missing += await smtp.waitForAll(starts.keys(), nowMs() + settings.timeoutMs);
  const connections = { paced: smtp.connections - pacedConnections, peak: 0 };
  const pacedSummary = summarise(latencies(starts, smtp));
  const pacedStages = stages(await rowTimes(g, commits), smtp);
  log(
    `  p50 ${fmt(pacedSummary.p50, 1)} ms, p95 ${fmt(pacedSummary.p95, 1)} ms, p99 ${fmt(pacedSummary.p99, 1)} ms (generator ${fmt(pacedRun.achievedRate, 1)}/s)`,
  );

  // Let the worker finish its bookkeeping (status updates) so the peak starts from idle.
  await sleep(2_000);

  log(`gatehouse peak: ${settings.peak} emails in ${settings.peakTransactions} transactions ...`);
  const perTx = Math.ceil(settings.peak / settings.peakTransactions);
  const peakCommits = new Map<string, number>();
  const peakConnections = smtp.connections;
  const insertStart = nowMs();
  let firstCommit = Number.NaN;
  let lastCommit = Number.NaN;
  for (let t = 0, written = 0; written < settings.peak; t++) {
    const size = Math.min(perTx, settings.peak - written);
    const ids = await g.dataSource.transaction(async (m) => {
      const out: string[] = [];
      for (let j = 0; j < size; j++) {
        const i = written + j;
        out.push(
          await g.outbox.enqueue(m, `peak-${i}@bench.example`, 'verify-email', {
            name: `Bench ${i}`,
            token: randomBytes(24).toString('base64url'),
          }),
        );
      }
      return out;
    });
    lastCommit = nowMs();
    if (t === 0) firstCommit = lastCommit;
    for (const id of ids) peakCommits.set(id, lastCommit);
    written += size;
  }
  const peakIds = [...peakCommits.keys()].map((id) => g.messageIdFor(id));
  missing += await smtp.waitForAll(peakIds, nowMs() + settings.timeoutMs);
  connections.peak = smtp.connections - peakConnections;
  const last = lastArrival(peakIds, smtp);
  const peakSeconds = (last - firstCommit) / 1_000;
  const peakRows = await rowTimes(g, peakCommits);
  const allQueued = Math.max(...peakRows.map((r) => r.queued ?? Number.NaN));
  log(
    `  ${fmt(settings.peak / peakSeconds)} emails/s (${settings.peak} in ${fmt(peakSeconds, 2)} s from first commit)`,
  );

  return {
    paced: pacedSummary,
    pacedRun,
    pacedCommit: summarise(commitDurations),
    pacedStages,
    peakPerSecond: settings.peak / peakSeconds,
    peakSeconds,
    peakInsertSeconds: (lastCommit - insertStart) / 1_000,
    peakAfterLastCommitSeconds: (last - lastCommit) / 1_000,
    peakAllQueuedSeconds: (allQueued - firstCommit) / 1_000,
    peakStages: stages(peakRows, smtp),
    peakTimeline: timeline(peakIds, smtp, firstCommit),
    connections,
    missing,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function report(
  settings: Settings,
  bare: BaselineResult,
  gh: GatehouseResult,
  smtp: SmtpRecorder,
): { text: string; pass: boolean } {
  const p95Pass = gh.paced.p95 <= P95_TARGET_MS && gh.paced.count === settings.rate * settings.seconds;
  const peakPass = gh.peakPerSecond >= PEAK_TARGET_PER_S && gh.missing === 0;
  const ms = (n: number) => fmt(n, 1);
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Mail benchmark: paced ${settings.rate}/s for ${settings.seconds} s, peak ${settings.peak} emails ` +
      `(Gatehouse: ${settings.peakTransactions} transactions), template verify-email, SMTP listener in-process on 127.0.0.1`,
  );
  lines.push(`node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push('');
  lines.push(
    table([
      ['', 'peak /s', 'paced p50 ms', 'paced p95 ms', 'paced p99 ms', 'paced max ms', 'paced count'],
      [
        'bare nodemailer (pool 10)',
        fmt(bare.peakPerSecond),
        ms(bare.paced.p50),
        ms(bare.paced.p95),
        ms(bare.paced.p99),
        ms(bare.paced.max),
        String(bare.paced.count),
      ],
      [
        'gatehouse (outbox→SMTP)',
        fmt(gh.peakPerSecond),
        ms(gh.paced.p50),
        ms(gh.paced.p95),
        ms(gh.paced.p99),
        ms(gh.paced.max),
        String(gh.paced.count),
      ],
      [
        'ratio gatehouse/bare',
        fmt(gh.peakPerSecond / bare.peakPerSecond, 3),
        fmt(gh.paced.p50 / bare.paced.p50, 1) + 'x',
        fmt(gh.paced.p95 / bare.paced.p95, 1) + 'x',
        fmt(gh.paced.p99 / bare.paced.p99, 1) + 'x',
        '',
        '',
      ],
    ]),
  );
  lines.push('');
  lines.push(
    `target paced p95 <= ${P95_TARGET_MS} ms at ${settings.rate}/s: ${ms(gh.paced.p95)} ms, ${gh.paced.count}/${settings.rate * settings.seconds} arrived  ${verdict(p95Pass)}`,
  );
  lines.push(
    `target peak >= ${PEAK_TARGET_PER_S} emails/s:            ${fmt(gh.peakPerSecond)} emails/s  ${verdict(peakPass)}`,
  );
  lines.push('');
  lines.push('details');
  lines.push(`  bare peak: ${settings.peak} in ${fmt(bare.peakSeconds, 2)} s (first sendMail to last arrival)`);
  lines.push(
    `  bare paced: sendMail() resolve p50 ${ms(bare.pacedResolve.p50)} / p95 ${ms(bare.pacedResolve.p95)} ms; generator ${fmt(bare.pacedRun.achievedRate, 2)}/s, worst lag ${ms(bare.pacedRun.maxScheduleLagMs)} ms`,
  );
  lines.push(
    `  gatehouse paced: enqueue transaction p50 ${ms(gh.pacedCommit.p50)} / p95 ${ms(gh.pacedCommit.p95)} ms; generator ${fmt(gh.pacedRun.achievedRate, 2)}/s, worst lag ${ms(gh.pacedRun.maxScheduleLagMs)} ms`,
  );
  const stageLine = (label: string, s: Stages) =>
    `  ${label}: commit→queued_at p50 ${ms(s.relay.p50)} / p95 ${ms(s.relay.p95)} / max ${ms(s.relay.max)} ms; ` +
    `queued_at→arrival p50 ${ms(s.queueToArrival.p50)} / p95 ${ms(s.queueToArrival.p95)} / max ${ms(s.queueToArrival.max)} ms; retried ${s.retried}, not sent ${s.notSent}`;
  lines.push(stageLine('gatehouse paced stages', gh.pacedStages));
  lines.push(stageLine('gatehouse peak stages', gh.peakStages));
  lines.push(
    `  gatehouse peak: inserts took ${fmt(gh.peakInsertSeconds, 2)} s; all rows queued ${fmt(gh.peakAllQueuedSeconds, 2)} s after the first commit; ` +
      `last arrival ${fmt(gh.peakAfterLastCommitSeconds, 2)} s after the last commit; ${settings.peak} in ${fmt(gh.peakSeconds, 2)} s`,
  );
  lines.push(`  gatehouse peak arrivals per second from the first commit: ${gh.peakTimeline}`);
  lines.push(
    `  SMTP connections opened: bare peak ${bare.connections.peak}, bare paced ${bare.connections.paced}; ` +
      `gatehouse paced ${gh.connections.paced}, gatehouse peak ${gh.connections.peak} (for ${settings.rate * settings.seconds} and ${settings.peak} emails)`,
  );
  lines.push(
    `  missing after timeout: bare ${bare.missing}, gatehouse ${gh.missing}; duplicate Message-IDs at the listener ${smtp.duplicates}; without Message-ID ${smtp.withoutId}`,
  );
  return { text: lines.join('\n'), pass: p95Pass && peakPass };
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const smtp = await startSmtp();
  log(`SMTP listener on ${smtp.url}`);

  const bare = await runBaseline(smtp, settings);

  log('starting Gatehouse (role all) on a throwaway database ...');
  const gatehouse = await startGatehouse(smtp.url);
  const gh = await runGatehouse(gatehouse, smtp, settings);

  const { text } = report(settings, bare, gh, smtp);
  process.stdout.write(`${text}\n`);
}

// Missing a target is a result, not an error: the run still exits 0 and the report says FAIL.
if (require.main === module) runBench('mail bench', main);
