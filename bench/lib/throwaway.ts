import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The servers the benchmarks use, as in the test harness. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(connectionString: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A statement on the server's maintenance database (CREATE / DROP DATABASE). */
export const adminQuery = (sql: string) => withClient(POSTGRES_URL, (c) => c.query(sql));

export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Resources to release, newest first (add with unshift), whatever happened before. */
export const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];

export async function runCleanups(): Promise<boolean> {
  let ok = true;
  while (cleanups.length > 0) {
    const step = cleanups.shift()!;
    try {
      await step.run();
    } catch (e) {
      ok = false;
      process.stderr.write(`cleanup failed (${step.what}): ${(e as Error).message}\n`);
    }
  }
  return ok;
}

/** A new directory under the system temp dir, removed by `runCleanups`. */
export function tempDir(label?: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-bench-${label ? `${label}-` : ''}`));
  cleanups.unshift({ what: `remove ${dir}`, run: async () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}
