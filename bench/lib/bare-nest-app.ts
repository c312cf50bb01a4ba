import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DEFAULT_LOAD_SETTINGS, LoadSettings, mean, measure } from './load';
import { cleanups } from './throwaway';

/**
 * The floor every Gatehouse HTTP figure is compared with: NestJS 11 on platform-express with one
 * route and nothing else (no pino, no helmet, no validation pipe, no Swagger, no request ids).
 */
@Controller('health')
class BareHealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [BareHealthController] })
class BareAppModule {}

export interface RunningApp {
  app: NestExpressApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the bare app on a free port on 127.0.0.1. */
export async function startBareNestApp(): Promise<RunningApp> {
  const app = await NestFactory.create<NestExpressApplication>(BareAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** The bare app for a bench run: closed by `runCleanups`. */
export async function startBare(): Promise<RunningApp> {
  const bare = await startBareNestApp();
  cleanups.unshift({ what: 'close bare app', run: () => bare.close() });
  return bare;
}

/** Throws unless `GET /health/live` answers 200 `{"status":"ok"}`: two apps compared must answer alike. */
export async function assertHealthLive(label: string, baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/health/live`);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"status":"ok"}')
    throw new Error(`${label}: GET /health/live answered ${res.status} ${body}`);
}

/**
 * Requests/s of the bare app on GET /health/live: mean of `rounds` measured runs, each after its
 * own warm-up. For benches that want to express their figures relative to the framework floor.
 */
export async function measureBareBaseline(settings: LoadSettings = DEFAULT_LOAD_SETTINGS, rounds = 1): Promise<number> {
  const bare = await startBareNestApp();
  try {
    const perRound: number[] = [];
    for (let i = 0; i < rounds; i++) {
      perRound.push((await measure(`${bare.baseUrl}/health/live`, settings, `bare round ${i + 1}`)).requestsPerSecond);
    }
    return mean(perRound);
  } finally {
    await bare.close();
  }
}
