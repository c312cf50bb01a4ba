import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/harness/processes';

/**
 * Gatehouse as production runs it: the built entry point (`node dist/src/main.js`) in child
 * processes, one role each, started, killed and replaced by a bench.
 */

/** Builds dist/ when it is missing or older than the sources (what `npm start` does). */
export function buildIfNeeded(): void {
  execFileSync(process.execPath, [join(ROOT, 'src', 'cli', 'build-if-needed.cjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface FleetProcess {
  /** e.g. `api-1`, `worker-2`. */
  name: string;
  role: 'api' | 'worker';
  /** For API processes: http://127.0.0.1:<port>. */
  url?: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The last 20,000 characters the process wrote (JSON log lines). */
  output(): string;
}

/** Spawns `node dist/src/main.js` with exactly `env` (plus PATH and HOME); `logFile` gets all it writes. */
export function spawnBuilt(
  name: string,
  role: 'api' | 'worker',
  env: Record<string, string>,
  port?: number,
  logFile?: string,
): FleetProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      ...env,
      GATEHOUSE_ROLE: role,
      ...(port ? { PORT: String(port) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += String(d);
    if (out.length > 40_000) out = out.slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (logFile) {
    const file = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.once('exit', () => file.end());
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    role,
    url: port ? `http://127.0.0.1:${port}` : undefined,
    child,
    exited,
    output: () => out.slice(-20_000),
  };
}

/** True while the process has not exited. */
export const alive = (p: FleetProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;

/** SIGKILL, and resolves once the process is gone. */
export async function kill(p: FleetProcess): Promise<void> {
  if (alive(p)) p.child.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM (a clean drain), then SIGKILL after `graceMs`. */
export async function stop(p: FleetProcess, graceMs = 15_000): Promise<void> {
  if (!alive(p)) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Polls GET /health/ready until 200 (or `timeoutMs`); throws with the process's output if it exits first. */
export async function waitReady(p: FleetProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(p)) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.output().slice(-3000)}`);
    try {
      const res = await fetch(`${p.url}/health/ready`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${p.name} not ready within ${timeoutMs} ms:\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until a worker has logged that it started (workers serve no HTTP). */
export async function waitWorkerStarted(p: FleetProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.output().includes('Gatehouse started')) {
    if (!alive(p)) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${p.name} did not start within ${timeoutMs} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
