import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { runMigrations } from '../database/migrations';

/** `npm run migrate`: the release step that applies pending migrations (embedded database when no DATABASE_URL). */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.database.url ? undefined : await startEmbeddedPostgres(config.varDir, config.database.embeddedPort, (m) => process.stdout.write(`${m}\n`));
  const url = config.database.url ?? embedded!.url;
  const dataSource = await createDataSource(url, { poolSize: 2, applicationName: 'gatehouse-migrate' }).initialize();
  try {
    const applied = await runMigrations(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  } finally {
    await dataSource.destroy();
    if (embedded?.owned) await embedded.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
