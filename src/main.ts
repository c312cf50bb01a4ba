import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { assertWorkersComplete, createHttpApp, createWorkerContext } from './bootstrap';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { createDataSource } from './database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrations';
import { HealthService } from './health/health.service';
import { judgeNodeRuntime } from './config/node-runtime';

const say = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);

async function resolveDatabase(config: AppConfig): Promise<{ config: AppConfig; embedded?: EmbeddedDatabase }> {
  if (config.database.url) return { config };
  if (config.env === 'production')
    throw new ConfigError([
      'DATABASE_URL: is required when NODE_ENV=production (the embedded database is for development)',
    ]);
  const embedded = await startEmbeddedPostgres(config.varDir, config.database.embeddedPort, say);
  return { config: { ...config, database: { ...config.database, url: embedded.url } }, embedded };
}

async function migrateIfAsked(config: AppConfig): Promise<void> {
  if (!config.database.migrateOnStart) return;
  const dataSource = await createDataSource(config.database.url!, {
    poolSize: 2,
    applicationName: 'gatehouse-migrate',
  }).initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) say(`applied migrations: ${applied.join(', ')}`);
  } finally {
    await dataSource.destroy();
  }
}

/** Refuses a Node.js line past its end of life unless ALLOW_END_OF_LIFE_NODE says otherwise. */
function checkNodeRuntime(config: AppConfig): void {
  const runtime = judgeNodeRuntime(process.version, new Date());
  if (!runtime.maintained && !config.allowEndOfLifeNode) throw new RuntimeRefused(runtime.message);
  say(runtime.maintained ? runtime.message : `${runtime.message} (allowed by ALLOW_END_OF_LIFE_NODE)`);
}

class RuntimeRefused extends Error {}

async function main(): Promise<void> {
  const loaded = loadConfig();
  checkNodeRuntime(loaded);
  const { config, embedded } = await resolveDatabase(loaded);
  await migrateIfAsked(config);

  let app: INestApplicationContext;
  if (config.role === 'worker') {
    app = await createWorkerContext(config);
    app.useLogger(app.get(Logger));
    await app.init();
  } else {
    const http = await createHttpApp(config);
    await http.listen(config.http.port);
    app = http;
  }
  assertWorkersComplete(app, config);
  const logger = app.get(Logger);
  logger.log(
    `Gatehouse started (role ${config.role}${config.role !== 'worker' ? `, http://localhost:${config.http.port}` : ''})`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    const force = setTimeout(() => {
      logger.error(`drain took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      if (config.role !== 'worker') app.get(HealthService).startDraining();
      // Nest closes the HTTP server (no new connections, in-flight requests finish), lets BullMQ
      // workers finish their active jobs, then closes the PostgreSQL and Redis pools.
      await app.close();
      if (embedded?.owned) await embedded.stop();
      process.exit(0);
    } catch (e) {
      logger.error(e);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof RuntimeRefused) {
    process.stderr.write(`${e.message}\n`);
  } else {
    process.stderr.write(`Gatehouse failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exit(1);
});
