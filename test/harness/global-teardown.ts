import { Client } from 'pg';
import { TEST_POSTGRES_URL, dropDatabase } from './postgres';

/** Drops the template and any database a crashed test file left behind in this run. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.GATEHOUSE_TEST_RUN_ID;
  if (!runId) return;
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `gatehouse_test_${runId}_%`,
  ]);
  await client.end();
  for (const { datname } of rows) await dropDatabase(datname);
}
