import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config';
import { runMigrations } from '../database/migrations';
import { withCliDataSource } from './cli-database';

/** `npm run migrate`: the release step that applies pending migrations (embedded database when no DATABASE_URL). */
async function main(): Promise<void> {
  const config = loadConfig();
  const applied = await withCliDataSource(config, 'gatehouse-migrate', runMigrations, (m) =>
    process.stdout.write(`${m}\n`),
  );
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
}

main().catch((e: unknown) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
