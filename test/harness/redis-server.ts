import Redis from 'ioredis';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';

/** A redis-server of the test's own, on its own port, that the test may take down and bring back. */
export interface PrivateRedis {
  port: number;
  url: string;
  /**
   * `redis-cli shutdown nosave`: the server exits; its data is gone unless it keeps an append-only
   * file (which shutdown flushes). Resolves once it has exited.
   */
  shutdown(): Promise<void>;
  /**
   * Starts the server again on the same port (if it is not running), empty or from its append-only
   * file; resolves once it answers PING (after the file is loaded).
   */
  restart(): Promise<void>;
  /** Shuts down if running and removes its directory. */
  stop(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

export interface PrivateRedisOptions {
  /**
   * Persist with an append-only file (`--appendonly yes --appendfsync everysec`), as production
   * runs Redis: a restart then comes back with its data. Default false.
   */
  appendOnly?: boolean;
}

/**
 * Starts `redis-server` on a free port (or `port`) in a temporary directory, by default with no
 * persistence (`--save "" --appendonly no`), so a restart always comes back empty, as after a
 * crash of an unpersisted Redis; with `appendOnly`, a restart reloads the append-only file.
 * Either way `maxmemory-policy` is `noeviction` (Redis's default).
 */
export async function startPrivateRedis(port?: number, options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return;
    const persistence = options.appendOnly
      ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
      : ['--appendonly', 'no'];
    const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir];
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await waitForPing(p);
  };
  const shutdown = async () => {
    if (!running()) return;
    await promisify(execFile)('redis-cli', ['-p', String(p), 'shutdown', 'nosave']).catch(() => child?.kill('SIGKILL'));
    await exited;
  };

  await start();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    shutdown,
    restart: start,
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
