import { createRequire } from 'node:module';

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

export const DEFAULT_LOAD_SETTINGS: LoadSettings = { durationSeconds: 10, connections: 50, pipelining: 1, warmupSeconds: 2 };

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

/** Defaults overridden by BENCH_DURATION (seconds) and BENCH_CONNECTIONS. */
export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  return {
    ...DEFAULT_LOAD_SETTINGS,
    durationSeconds: positiveInteger('BENCH_DURATION', env.BENCH_DURATION, DEFAULT_LOAD_SETTINGS.durationSeconds),
    connections: positiveInteger('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, DEFAULT_LOAD_SETTINGS.connections),
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
}

/**
 * One autocannon run against `url`. The load generator runs in a worker thread so it does not
 * share the event loop with a server started in this same process.
 */
export async function runLoad(url: string, settings: { durationSeconds: number; connections: number; pipelining: number }): Promise<LoadResult> {
  const r = await autocannon({
    url,
    method: 'GET',
    connections: settings.connections,
    duration: settings.durationSeconds,
    pipelining: settings.pipelining,
    workers: 1,
  });
  const total = r.latency.totalCount;
  return {
    url,
    requestsPerSecond: r.requests.average,
    latencyMs: { average: r.latency.average, p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    totalRequests: total,
    bytesPerResponse: total > 0 ? r.throughput.total / total : 0,
    durationSeconds: r.duration,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
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
export async function measure(url: string, settings: LoadSettings, label: string): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) {
    assertClean(await runLoad(url, { ...settings, durationSeconds: settings.warmupSeconds }), `${label} (warm-up)`);
  }
  const result = await runLoad(url, settings);
  assertClean(result, label);
  return result;
}

export function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
