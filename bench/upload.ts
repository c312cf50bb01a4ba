import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MAX_DOCUMENT_BYTES } from '../src/kyc/documents/documents.service';
import { positiveInteger } from './lib/env';
import { ListeningGatehouse, signedInDeveloper, startGatehouse } from './lib/gatehouse';
import { runBench } from './lib/runner';
import { cleanups, tempDir, withClient } from './lib/throwaway';

/**
 * Upload benchmark, in one run:
 *
 *  1. the real Gatehouse API (role `api`, throwaway database, Redis prefix and VAR_DIR, so the
 *     local document storage lands in a temp dir) takes 20 concurrent multipart uploads of one
 *     10 MiB PDF (`POST /v1/organisations/:orgId/documents`, type `certificate_of_incorporation`)
 *     per round, BENCH_UPLOAD_ROUNDS rounds; every upload must answer 201. Throughput is the file
 *     bytes of a round divided by its wall time, in MiB/s;
 *  2. the floor: `fs.promises.writeFile` of the same buffer 20 times concurrently into a temp dir,
 *     same rounds (and, for reference, the same with `flush: true`, since the local storage
 *     fsyncs every document);
 *  3. memory during the Gatehouse rounds: `process.memoryUsage()` sampled every 50 ms (rss,
 *     heapUsed, external, arrayBuffers) and `process.resourceUsage().maxRSS`. App and client share
 *     this process, so the figures include the client's side (one shared 10 MiB file buffer that
 *     every request writes from, plus socket buffers).
 *
 *   npx ts-node --transpile-only bench/upload.ts
 *
 * Environment (all optional):
 *   BENCH_UPLOAD_ROUNDS                 rounds of each (default 3)
 *   BENCH_UPLOAD_CONCURRENCY            uploads / writes at once (default 20)
 *   TEST_POSTGRES_URL, TEST_REDIS_URL   servers to use (default 127.0.0.1:5432 and :6379)
 */

const MiB = 1024 * 1024;
const FILE_BYTES = 10 * MiB;
const RSS_GOAL_BYTES = 300 * 1000 * 1000;
const SAMPLE_MS = 50;
const DOCUMENT_TYPE = 'certificate_of_incorporation';
// EnvDto caps RATE_LIMIT_PER_MINUTE at 1_000_000.
const RATE_LIMIT_PER_MINUTE = '1000000';
const REQUEST_TIMEOUT_MS = 120_000;
const FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'uploads', 'certificate-of-incorporation.pdf');

const organisation = {
  legalName: 'Bench Uploads Ltd',
  registrationNumber: '12345678',
  country: 'GB',
  registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
  regulatoryStatus: { type: 'unregulated' },
};

/** The real Gatehouse API whose local document storage lies in its throwaway VAR_DIR. */
async function startUploadGatehouse(): Promise<ListeningGatehouse & { storageDir: string }> {
  const gatehouse = await startGatehouse({
    role: 'api',
    env: { RATE_LIMIT_PER_MINUTE, MASTER_KEY: randomBytes(32).toString('base64') },
  });
  const { storage } = gatehouse.config;
  if (storage.kind !== 'local' || !storage.dir.startsWith(gatehouse.varDir)) {
    throw new Error(`document storage is not under the temp VAR_DIR (${storage.kind} ${storage.dir})`);
  }
  return { ...gatehouse, storageDir: storage.dir };
}

/** A verified developer written straight into the database, signed in over HTTP, with one organisation. */
async function developerWithOrganisation(gatehouse: ListeningGatehouse): Promise<{ token: string; orgId: string }> {
  const { token } = await signedInDeveloper(gatehouse);
  const created = await fetch(`${gatehouse.baseUrl}/v1/organisations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(organisation),
  });
  const org = (await created.json()) as { id?: string };
  if (created.status !== 201 || !org.id)
    throw new Error(`POST /v1/organisations answered ${created.status} ${JSON.stringify(org)}`);
  return { token, orgId: org.id };
}

// ---------------------------------------------------------------------------------------------
// The test file and the multipart request.

/**
 * A PDF of exactly `size` bytes that passes the upload checks: it starts with the fixture's bytes
 * (so `%PDF-1.4\n` first), then `%`-comment lines of random base64 as padding, then `\n%%EOF\n`
 * in the last bytes.
 */
function buildPdf(size: number): Buffer {
  const head = readFileSync(FIXTURE);
  const tail = Buffer.from('\n%%EOF\n');
  if (!head.subarray(0, 9).equals(Buffer.from('%PDF-1.4\n')))
    throw new Error(`${FIXTURE} does not start with %PDF-1.4`);
  const out = Buffer.alloc(size);
  let at = head.copy(out, 0);
  const paddingEnd = size - tail.length;
  while (at < paddingEnd) {
    // "%" + 76 base64 characters + "\n", cut to fit the last line.
    const line = Buffer.from(`%${randomBytes(57).toString('base64')}\n`);
    at += line.copy(out, at, 0, Math.min(line.length, paddingEnd - at));
  }
  out[paddingEnd - 1] = 0x0a;
  tail.copy(out, paddingEnd);
  if (
    out.length !== size ||
    !out.subarray(0, 5).equals(Buffer.from('%PDF-')) ||
    !out.subarray(-1024).includes(Buffer.from('%%EOF'))
  ) {
    throw new Error('built PDF does not have the shape the upload checks expect');
  }
  return out;
}

interface Multipart {
  boundary: string;
  before: Buffer;
  after: Buffer;
}

function multipartFraming(): Multipart {
  const boundary = `----gatehouse-bench-${randomBytes(12).toString('hex')}`;
  const before = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\n${DOCUMENT_TYPE}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="certificate-of-incorporation.pdf"\r\n` +
      `Content-Type: application/pdf\r\n\r\n`,
  );
  const after = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { boundary, before, after };
}

interface UploadTarget {
  baseUrl: string;
  orgId: string;
  token: string;
  agent: Agent;
  framing: Multipart;
}

interface UploadResult {
  status: number;
  body: string;
  ms: number;
}

/**
 * One multipart POST with node's http client. The file part is written straight from the shared
 * buffer (no copy: the socket queues a reference to it), with its framing before and after.
 */
function upload(target: UploadTarget, file: Buffer): Promise<UploadResult> {
  const { framing } = target;
  const started = process.hrtime.bigint();
  return new Promise<UploadResult>((resolve, reject) => {
    const req = httpRequest(`${target.baseUrl}/v1/organisations/${target.orgId}/documents`, {
      method: 'POST',
      agent: target.agent,
      headers: {
        authorization: `Bearer ${target.token}`,
        'content-type': `multipart/form-data; boundary=${framing.boundary}`,
        'content-length': String(framing.before.length + file.length + framing.after.length),
      },
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`upload timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        }),
      );
      res.on('error', reject);
    });
    // A server that answers early (413, 401) may reset the socket while the body is still going.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    req.write(framing.before);
    req.write(file);
    req.end(framing.after);
  });
}

function assertCreated(r: UploadResult, size: number, what: string): void {
  if (r.status !== 201) throw new Error(`${what}: answered ${r.status} ${r.body.slice(0, 500)}`);
  const doc = JSON.parse(r.body) as { size?: number; mimeType?: string; type?: string };
  if (doc.size !== size || doc.mimeType !== 'application/pdf' || doc.type !== DOCUMENT_TYPE) {
    throw new Error(`${what}: unexpected document ${r.body.slice(0, 500)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory sampling

interface MemoryPeaks {
  samples: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function startSampler(): { stop: () => MemoryPeaks } {
  const peaks: MemoryPeaks = { samples: 0, rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peaks.samples++;
    peaks.rss = Math.max(peaks.rss, m.rss);
    peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
    peaks.external = Math.max(peaks.external, m.external);
    peaks.arrayBuffers = Math.max(peaks.arrayBuffers, m.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rounds

interface Round {
  seconds: number;
  mibPerSecond: number;
  cpuPercent: number;
  latencyMs?: { p50: number; max: number };
}

function round(bytes: number, seconds: number, cpu: NodeJS.CpuUsage, latencies?: number[]): Round {
  const r: Round = {
    seconds,
    mibPerSecond: bytes / MiB / seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
  };
  if (latencies) {
    const sorted = [...latencies].sort((a, b) => a - b);
    r.latencyMs = { p50: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] };
  }
  return r;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: NodeJS.CpuUsage }> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const value = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { value, seconds, cpu: process.cpuUsage(cpuBefore) };
}

async function gatehouseRound(target: UploadTarget, file: Buffer, concurrency: number, label: string): Promise<Round> {
  const {
    value: results,
    seconds,
    cpu,
  } = await timed(() => Promise.all(Array.from({ length: concurrency }, () => upload(target, file))));
  results.forEach((r, i) => assertCreated(r, file.length, `${label} upload ${i + 1}`));
  return round(
    file.length * concurrency,
    seconds,
    cpu,
    results.map((r) => r.ms),
  );
}

async function baselineRound(dir: string, file: Buffer, concurrency: number, flush: boolean): Promise<Round> {
  const { seconds, cpu } = await timed(() =>
    Promise.all(Array.from({ length: concurrency }, (_, i) => writeFile(join(dir, `file-${i}.bin`), file, { flush }))),
  );
  for (const name of await readdir(dir)) await rm(join(dir, name));
  return round(file.length * concurrency, seconds, cpu);
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const mb = (bytes: number) => `${fmt(bytes / 1e6, 1)} MB`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const rounds = positiveInteger('BENCH_UPLOAD_ROUNDS', 3);
  const concurrency = positiveInteger('BENCH_UPLOAD_CONCURRENCY', 20);
  const memoryAtStart = process.memoryUsage();

  const gatehouse = await startUploadGatehouse();
  const dev = await developerWithOrganisation(gatehouse);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  cleanups.unshift({ what: 'destroy http agent', run: async () => agent.destroy() });
  const target: UploadTarget = {
    baseUrl: gatehouse.baseUrl,
    orgId: dev.orgId,
    token: dev.token,
    agent,
    framing: multipartFraming(),
  };

  // The file: exactly 10 MiB first. busboy fires its 'limit' event when a file *reaches*
  // limits.fileSize, so the service may refuse a file of exactly MAX_DOCUMENT_BYTES; if so the
  // bench says so and measures with the largest size that is accepted, one byte less.
  let file = buildPdf(FILE_BYTES);
  const notes: string[] = [];
  const probe = await upload(target, file);
  if (probe.status !== 201) {
    const note =
      `a file of exactly ${FILE_BYTES} bytes (10 MiB, MAX_DOCUMENT_BYTES = ${MAX_DOCUMENT_BYTES}) was refused: ` +
      `${probe.status} ${probe.body.slice(0, 200)}; measuring with ${FILE_BYTES - 1} bytes instead`;
    notes.push(note);
    process.stderr.write(`NOTE: ${note}\n`);
    file = buildPdf(FILE_BYTES - 1);
    assertCreated(await upload(target, file), file.length, `check upload of ${file.length} bytes`);
  } else {
    assertCreated(probe, file.length, `check upload of ${file.length} bytes`);
  }
  process.stderr.write(`check upload of ${file.length} bytes: 201\n`);

  // Gatehouse rounds first, so maxRSS (a lifetime high-water mark) describes them.
  const rssBefore = process.memoryUsage();
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  const sampler = startSampler();
  const gatehouseRounds: Round[] = [];
  for (let i = 1; i <= rounds; i++) {
    process.stderr.write(`round ${i}/${rounds}: gatehouse, ${concurrency} uploads ...`);
    const r = await gatehouseRound(target, file, concurrency, `round ${i}`);
    gatehouseRounds.push(r);
    process.stderr.write(
      ` ${fmt(r.mibPerSecond, 1)} MiB/s (${fmt(r.seconds, 2)} s, p50 ${fmt(r.latencyMs!.p50)} ms)\n`,
    );
  }
  const peaks = sampler.stop();
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;

  const stored = await withClient(gatehouse.database.url, (c) =>
    c.query<{ n: number; bytes: string }>(
      `SELECT count(*)::int AS n, coalesce(sum(size), 0)::bigint AS bytes FROM documents WHERE organisation_id = $1`,
      [dev.orgId],
    ),
  );
  const expectedDocs = 1 + rounds * concurrency;
  if (stored.rows[0].n !== expectedDocs)
    throw new Error(`expected ${expectedDocs} documents in the database, found ${stored.rows[0].n}`);

  const baselineDir = tempDir('baseline');
  const baselineRounds: Round[] = [];
  const flushedRounds: Round[] = [];
  for (let i = 1; i <= rounds; i++) {
    process.stderr.write(`round ${i}/${rounds}: baseline writeFile ...`);
    const r = await baselineRound(baselineDir, file, concurrency, false);
    baselineRounds.push(r);
    process.stderr.write(` ${fmt(r.mibPerSecond, 1)} MiB/s; with flush ...`);
    const f = await baselineRound(baselineDir, file, concurrency, true);
    flushedRounds.push(f);
    process.stderr.write(` ${fmt(f.mibPerSecond, 1)} MiB/s\n`);
  }

  const g = mean(gatehouseRounds.map((r) => r.mibPerSecond));
  const b = mean(baselineRounds.map((r) => r.mibPerSecond));
  const bf = mean(flushedRounds.map((r) => r.mibPerSecond));
  const peakRss = Math.max(peaks.rss, maxRssAfter > maxRssBefore ? maxRssAfter : 0);
  const lines: string[] = [];
  lines.push('');
  lines.push(`Upload bench: node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push(
    `${concurrency} concurrent uploads of a ${file.length}-byte PDF (type ${DOCUMENT_TYPE}) per round, ${rounds} rounds; ` +
      `baseline: ${concurrency} concurrent fs.promises.writeFile of the same buffer`,
  );
  for (const n of notes) lines.push(`NOTE: ${n}`);
  lines.push('');
  const row = (label: string, rs: Round[], latency: boolean) => [
    label,
    fmt(mean(rs.map((r) => r.mibPerSecond)), 1),
    rs.map((r) => fmt(r.mibPerSecond, 1)).join(' / '),
    rs.map((r) => fmt(r.seconds, 2)).join(' / '),
    fmt(mean(rs.map((r) => r.cpuPercent))),
    latency
      ? `${fmt(mean(rs.map((r) => r.latencyMs!.p50)))} / ${fmt(Math.max(...rs.map((r) => r.latencyMs!.max)))}`
      : '-',
  ];
  lines.push(
    table([
      ['target', 'MiB/s (mean)', 'rounds MiB/s', 'rounds wall s', 'CPU % of 1 core', 'latency p50 / max ms'],
      row('gatehouse POST documents', gatehouseRounds, true),
      row('baseline writeFile', baselineRounds, false),
      row('writeFile flush:true (ref.)', flushedRounds, false),
    ]),
  );
  lines.push('');
  lines.push(
    `ratio gatehouse/baseline (MiB/s): ${fmt(g / b, 3)}   (gatehouse / writeFile flush:true: ${fmt(g / bf, 3)})`,
  );
  lines.push(
    `stored: ${stored.rows[0].n} documents, ${stored.rows[0].bytes} plaintext bytes, under ${gatehouse.storageDir}`,
  );
  lines.push('');
  lines.push(
    `memory (app + client in one process; the client holds one shared ${fmt(file.length / MiB, 2)} MiB file buffer):`,
  );
  lines.push(`  at start of process:            rss ${mb(memoryAtStart.rss)}`);
  lines.push(
    `  before the Gatehouse rounds:    rss ${mb(rssBefore.rss)}, heapUsed ${mb(rssBefore.heapUsed)}, arrayBuffers ${mb(rssBefore.arrayBuffers)}, maxRSS so far ${mb(maxRssBefore)}`,
  );
  lines.push(
    `  peak during them (${peaks.samples} samples @ ${SAMPLE_MS} ms): rss ${mb(peaks.rss)}, heapUsed ${mb(peaks.heapUsed)}, ` +
      `external ${mb(peaks.external)}, arrayBuffers ${mb(peaks.arrayBuffers)}`,
  );
  lines.push(
    `  resourceUsage().maxRSS after them: ${mb(maxRssAfter)}${maxRssAfter > maxRssBefore ? '' : ' (unchanged: set before the rounds)'}`,
  );
  lines.push(
    `  peak RSS ${mb(peakRss)} vs goal <= ${mb(RSS_GOAL_BYTES)}: ${peakRss <= RSS_GOAL_BYTES ? 'PASS' : 'FAIL'}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) runBench('upload bench', main);
