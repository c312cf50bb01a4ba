import { randomBytes } from 'node:crypto';
import { createDataSource } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrations';
import { adminQuery, databaseUrl } from './postgres';

/**
 * Once per test run: a template database with every migration applied. Each e2e file then clones
 * it (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of re-running migrations.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const template = `gatehouse_test_${runId}_template`;
  await adminQuery(`CREATE DATABASE "${template}"`);
  const dataSource = await createDataSource(databaseUrl(template), { poolSize: 2 }).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.env.GATEHOUSE_TEST_RUN_ID = runId;
  process.env.GATEHOUSE_TEST_TEMPLATE_DB = template;
}
