import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { pendingSchemaChanges, runMigrations } from '../database/migrations';

/**
 * CI's guard that entities and migrations agree: apply every migration to the (empty) database
 * named by DATABASE_URL, then ask TypeORM what it would still change. Anything is a failure.
 */
async function main(): Promise<boolean> {
  const config = loadConfig();
  if (!config.database.url) throw new Error('DATABASE_URL is required (an empty database to migrate)');
  const dataSource = await createDataSource(config.database.url, { poolSize: 2 }).initialize();
  try {
    const applied = await runMigrations(dataSource);
    const pending = await pendingSchemaChanges(dataSource);
    process.stdout.write(`applied ${applied.length} migrations\n`);
    if (pending.length > 0) {
      process.stderr.write(
        `Entities and migrations disagree; a generated migration would run:\n${pending.map((q) => `  ${q}`).join('\n')}\n`,
      );
      return false;
    }
    process.stdout.write('entities and migrations agree\n');
    return true;
  } finally {
    await dataSource.destroy();
  }
}

// Explicit exits: a dependency's exit hook would otherwise reset process.exitCode.
main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
