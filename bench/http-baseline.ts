import 'reflect-metadata';
import { cpus } from 'node:os';
import { assertHealthLive, startBare } from './lib/bare-nest-app';
import { startGatehouse } from './lib/gatehouse';
import {
  LoadSettings,
  RoundsSummary,
  alternateRounds,
  loadSettingsFromEnv,
  roundsTable,
  summariseRounds,
} from './lib/load';
import { runBench } from './lib/runner';

/**
 * HTTP baseline: GET /health/live on a bare NestJS 11 + express app and on the real Gatehouse API
 * (role `api`, its own throwaway database and Redis prefix), measured alternately.
 *
 *   npx ts-node --transpile-only bench/http-baseline.ts
 *
 * BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) override the load.
 */

export { measureBareBaseline } from './lib/bare-nest-app';

const ROUNDS = 2;
const ROUTE = '/health/live';

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function report(settings: LoadSettings, bare: RoundsSummary, gatehouse: RoundsSummary): string {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `HTTP baseline: GET ${ROUTE}, ${settings.connections} connections, pipelining ${settings.pipelining}, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured, ${ROUNDS} alternating rounds`,
  );
  lines.push(`node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  lines.push('');
  lines.push(roundsTable([bare, gatehouse]));
  lines.push('');
  lines.push(`ratio gatehouse/bare (req/s): ${fmt(gatehouse.rps / bare.rps, 3)}`);
  lines.push(
    `response size incl. headers: bare ${fmt(bare.rounds[0].bytesPerResponse)} B, gatehouse ${fmt(gatehouse.rounds[0].bytesPerResponse)} B`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = loadSettingsFromEnv();
  const bare = await startBare();
  const gatehouse = await startGatehouse({ role: 'api' });
  await assertHealthLive('bare', bare.baseUrl);
  await assertHealthLive('gatehouse', gatehouse.baseUrl);

  const results = await alternateRounds(
    [
      { label: 'bare', target: `${bare.baseUrl}${ROUTE}` },
      { label: 'gatehouse', target: `${gatehouse.baseUrl}${ROUTE}` },
    ],
    settings,
    ROUNDS,
  );
  process.stdout.write(
    `${report(settings, summariseRounds('bare', results.get('bare')!), summariseRounds('gatehouse', results.get('gatehouse')!))}\n`,
  );
}

if (require.main === module) runBench('http-baseline', main);
