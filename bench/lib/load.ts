import { createRequire } from 'node:module';
import { positiveInteger } from './env';
import { table } from './stats';

/**
 * A thin, typed wrapper over autocannon's programmatic API, shared by the benchmarks.
 *
 * autocannon ships no type declarations (and @types/autocannon is not installed), so it is loaded
 * through createRequire and given the small slice of its API the benches use.
 */

interface AutocannonHistogram {
  average: number;
  stddev: number;
  min: number;
  max: number;
  p2_5: number;
  p50: number;
  p97_5: number;
  p99: number;
}

interface AutocannonResult {
  requests: AutocannonHistogram & { total: number; sent: number };
  latency: AutocannonHistogram & { totalCount: number };
  throughput: AutocannonHistogram & { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

interface AutocannonOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A sequence each connection cycles through; fields left out come from the options above. */
  requests?: { body?: string }[];
  connections: number;
  duration: number;
  pipelining: number;
  workers?: number;
  title?: string;
}

type Autocannon = (options: AutocannonOptions) => PromiseLike<AutocannonResult>;

const autocannon = createRequire(__filename)('autocannon') as Autocannon;

export interface LoadSettings {
  /** Measured run, in seconds. */
  durationSeconds: number;
  connections: number;
  pipelining: number;
  /** Warm-up before each measured run, in seconds; 0 skips it. */
  warmupSeconds: number;
}

export const DEFAULT_LOAD_SETTINGS: LoadSettings = {
  durationSeconds: 10,
  connections: 50,
  pipelining: 1,
  warmupSeconds: 2,
};

/** Defaults overridden by BENCH_DURATION (seconds) and BENCH_CONNECTIONS. */
export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  return {
    ...DEFAULT_LOAD_SETTINGS,
    durationSeconds: positiveInteger('BENCH_DURATION', DEFAULT_LOAD_SETTINGS.durationSeconds, env),
    connections: positiveInteger('BENCH_CONNECTIONS', DEFAULT_LOAD_SETTINGS.connections, env),
  };
}

export interface LoadResult {
  url: string;
  /** Mean of autocannon's one-second samples (its "Req/Sec Avg"). */
  requestsPerSecond: number;
  latencyMs: { average: number; p50: number; p97_5: number; p99: number; max: number };
  totalRequests: number;
  /** Response bytes per request, headers included. */
  bytesPerResponse: number;
  durationSeconds: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /**
   * CPU time (user + system, ms) of this process's main thread during the run
   * (`process.threadCpuUsage`). The load generator runs in a worker thread, so for a server
   * started in this process this is the server's own work, whatever else the machine is doing.
   */
  mainThreadCpuMs: number;
}

/** What every connection sends, again and again; a bare URL means a plain GET. */
export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Bodies each connection sends in turn, instead of `body` (e.g. decisions about many consents). */
  bodies?: readonly string[];
}

export type LoadTarget = string | LoadRequest;

/**
 * One autocannon run against `target`. The load generator runs in a worker thread so it does not
 * share the event loop with a server started in this same process.
 */
export async function runLoad(
  target: LoadTarget,
  settings: { durationSeconds: number; connections: number; pipelining: number },
): Promise<LoadResult> {
  const request: LoadRequest = typeof target === 'string' ? { url: target, method: 'GET' } : target;
  const { bodies, ...fixed } = request;
  const url = request.url;
  const cpuBefore = process.threadCpuUsage();
  const r = await autocannon({
    ...fixed,
    ...(bodies ? { requests: bodies.map((body) => ({ body })) } : {}),
    connections: settings.connections,
    duration: settings.durationSeconds,
    pipelining: settings.pipelining,
    workers: 1,
  });
  const cpu = process.threadCpuUsage(cpuBefore);
  const total = r.latency.totalCount;
  return {
    url,
    requestsPerSecond: r.requests.average,
    latencyMs: {
      average: r.latency.average,
      p50: r.latency.p50,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    totalRequests: total,
    bytesPerResponse: total > 0 ? r.throughput.total / total : 0,
    durationSeconds: r.duration,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    mainThreadCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** A run that saw errors or non-2xx answers measured something other than the route. */
export function assertClean(result: LoadResult, label: string): void {
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.totalRequests === 0) {
    throw new Error(
      `${label}: unusable run (${result.totalRequests} requests, ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx)`,
    );
  }
}

/** Warm-up (discarded), then the measured run; throws if either was not clean. */
export async function measure(target: LoadTarget, settings: LoadSettings, label: string): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) {
    assertClean(await runLoad(target, { ...settings, durationSeconds: settings.warmupSeconds }), `${label} (warm-up)`);
  }
  const result = await runLoad(target, settings);
  assertClean(result, label);
  return result;
}

export function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * `rounds` rounds of `measure` over the targets in turn (a, b, a, b, …), so a drift of the machine
 * during the run affects every target alike. Progress goes to stderr; results come per label.
 */
export async function alternateRounds(
  targets: readonly { label: string; target: LoadTarget }[],
  settings: LoadSettings,
  rounds: number,
): Promise<Map<string, LoadResult[]>> {
  const results = new Map(targets.map((t) => [t.label, [] as LoadResult[]]));
  for (let round = 1; round <= rounds; round++) {
    for (const { label, target } of targets) {
      process.stderr.write(`round ${round}/${rounds}: ${label} ...`);
      const r = await measure(target, settings, `${label} round ${round}`);
      results.get(label)!.push(r);
      process.stderr.write(
        ` ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms\n`,
      );
    }
  }
  return results;
}

/** Means over the rounds of one target. */
export interface RoundsSummary {
  label: string;
  rounds: LoadResult[];
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
}

export function summariseRounds(label: string, rounds: LoadResult[]): RoundsSummary {
  return {
    label,
    rounds,
    rps: mean(rounds.map((r) => r.requestsPerSecond)),
    p50: mean(rounds.map((r) => r.latencyMs.p50)),
    p97_5: mean(rounds.map((r) => r.latencyMs.p97_5)),
    p99: mean(rounds.map((r) => r.latencyMs.p99)),
  };
}

/** The req/s and latency table of the HTTP benches, one row per target. */
export function roundsTable(summaries: readonly RoundsSummary[]): string {
  const fmt = (n: number, digits = 0) => n.toFixed(digits);
  return table([
    ['app', 'req/s (mean)', 'p50 ms', 'p97.5 ms', 'p99 ms', 'rounds req/s'],
    ...summaries.map((s) => [
      s.label,
      fmt(s.rps),
      fmt(s.p50, 1),
      fmt(s.p97_5, 1),
      fmt(s.p99, 1),
      s.rounds.map((r) => fmt(r.requestsPerSecond)).join(' / '),
    ]),
  ]);
}
