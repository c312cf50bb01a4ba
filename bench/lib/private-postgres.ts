import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canConnect } from '../../src/database/embedded-postgres';
import { freePort } from '../../test/harness/processes';

/**
 * A PostgreSQL cluster of the bench's own: `initdb` into a temporary directory and `pg_ctl` on a
 * free port of 127.0.0.1, so stopping or crashing it touches no other database on the machine.
 * Uses Debian's server binaries (`/usr/lib/postgresql/<major>/bin`). PostgreSQL refuses to run as
 * root, so when the bench runs as root the cluster belongs to the `postgres` system user.
 */
export interface PrivatePostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string;
  /** `pg_ctl stop -m immediate`: every backend is killed at once, as in a crash; resolves once it is down. */
  crash(): Promise<void>;
  /** `pg_ctl start` on the same port and data directory (crash recovery runs); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it if running and removes its directory. */
  remove(): Promise<void>;
}

const run = promisify(execFile);

/** The newest Debian PostgreSQL server binaries installed, or an error naming what is missing. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, majors[0]!, 'bin');
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
function asOwner(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) return run(binary, args);
  const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0) throw new Error('running as root needs a `postgres` system user to own the cluster');
  return run(binary, args, { uid: Number(ids.stdout.trim()), gid: Number(gids.stdout.trim()) });
}

/**
 * initdb (trust authentication, user `postgres`), then start. Server settings: `fsync=off` (the
 * bench crashes the server, never the machine, so what reached the kernel survives) and the
 * socket directory inside the cluster's own directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  const data = join(dir, 'data');
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  await asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let up = false;

  const start = async () => {
    if (up) return;
    await asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', options]);
    const deadline = Date.now() + 30_000;
    while (!(await canConnect(url()))) {
      if (Date.now() > deadline) throw new Error(`private PostgreSQL on port ${port} did not accept connections`);
      await new Promise((r) => setTimeout(r, 100));
    }
    up = true;
  };
  const crash = async () => {
    if (!up) return;
    await asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
    up = false;
  };

  await start();
  return {
    port,
    url,
    crash,
    start,
    async remove() {
      if (up) await asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']).catch(() => undefined);
      up = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
