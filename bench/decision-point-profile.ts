import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { ConsentReplica } from '../src/consents/decision/consent-replica';
import {
  GATEWAY_API_KEY,
  decisionBodies,
  gatewayHeaders,
  seedConsents,
  seedStanding,
  untilCurrent,
} from './consent-decisions';
import { positiveInteger } from './lib/env';
import { createThrowawayDatabase, startGatehouse } from './lib/gatehouse';
import { LoadTarget, loadSettingsFromEnv, runLoad } from './lib/load';
import { runBench } from './lib/runner';

/**
 * Where the server's main thread spends its time per request, for `GET /health/live` and
 * `POST /v1/consent-decisions` of one Gatehouse (role api, silent logs, BENCH_CONSENTS consents):
 * for each route a warm-up, then a V8 CPU profile (inspector) around one autocannon run (worker
 * thread, as the benches). Prints, per route, the busy main-thread µs per request and the
 * functions with the most self time, in µs per request; writes each profile to
 * `decision-point-<route>.cpuprofile` in the working directory (open it in Chrome DevTools).
 *
 *   BENCH_CONSENTS=2000 BENCH_DURATION=5 npx ts-node --transpile-only bench/decision-point-profile.ts
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (µs), idle and GC apart. */
function selfTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
    const key = f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}` : f.functionName;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

async function main(): Promise<void> {
  const consents = positiveInteger('BENCH_CONSENTS', 2000);
  const top = positiveInteger('BENCH_TOP', 30);
  const settings = loadSettingsFromEnv();
  const database = await createThrowawayDatabase('decision-profile');
  await seedStanding(database);
  await seedConsents(database, consents);
  const gatehouse = await startGatehouse({
    role: 'api',
    database,
    env: { GATEWAY_API_KEY, RATE_LIMIT_PER_MINUTE: '1000000' },
    label: 'decision-profile',
  });
  const replica = gatehouse.app.get(ConsentReplica);
  await replica.whenLoaded();
  await untilCurrent(replica);
  const { bodies } = await decisionBodies(gatehouse.baseUrl, consents);
  const targets: [string, LoadTarget][] = [
    ['health', `${gatehouse.baseUrl}/health/live`],
    [
      'decisions',
      { url: `${gatehouse.baseUrl}/v1/consent-decisions`, method: 'POST', headers: gatewayHeaders, bodies },
    ],
  ];
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  for (const [label, target] of targets) {
    await runLoad(target, { ...settings, durationSeconds: settings.warmupSeconds });
    await session.post('Profiler.start');
    const result = await runLoad(target, settings);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    writeFileSync(`decision-point-${label}.cpuprofile`, JSON.stringify(profile));
    const n = result.totalRequests;
    const times = selfTimes(profile);
    const idle = (times.get('(idle)') ?? 0) + (times.get('(program)') ?? 0);
    const total = [...times.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `\n${label}: ${n} requests, ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.latencyMs.p99} ms; ` +
        `main thread busy ${((total - idle) / n).toFixed(1)} µs/request ((program) and (idle) excluded: ${(idle / n).toFixed(1)})\n`,
    );
    const rows = [...times.entries()]
      .filter(([k]) => k !== '(idle)' && k !== '(program)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    for (const [k, us] of rows) process.stdout.write(`  ${(us / n).toFixed(2).padStart(7)} µs  ${k}\n`);
  }
  session.disconnect();
}

if (require.main === module) runBench('decision point profile', main);
