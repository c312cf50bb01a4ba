import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './harness/processes';

/**
 * The fault-injection run of bench/faults.ts in its short form (FAULTS_SHORT=1): two API and two
 * worker processes of the built app on a private PostgreSQL, Redis and SMTP catcher, under a mixed
 * load, while a worker is killed mid-job, Redis restarts, SMTP stops, PostgreSQL crashes and
 * restarts and an API process is killed mid-request. The bench checks its invariants itself and
 * exits 0 only when every one holds; its report is printed when it does not.
 */
describe('faults under load (bench/faults.ts, short run)', () => {
  beforeAll(() => {
    // The run starts `node dist/src/main.js`; building is not part of the run's time.
    execFileSync(process.execPath, [join(ROOT, 'src', 'cli', 'build-if-needed.cjs')], { cwd: ROOT, stdio: 'ignore' });
  }, 600_000);

  it('keeps every invariant through a worker kill, a Redis restart, an SMTP outage, a PostgreSQL restart and an API kill', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'faults.ts')], {
      cwd: ROOT,
      env: { ...process.env, FAULTS_SHORT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) process.stderr.write(`${stdout}\n${stderr.slice(-5000)}\n`);
    expect(stdout).toContain('ALL INVARIANTS HOLD');
    for (const invariant of [
      'every submission decided or queued',
      'no task decided twice',
      'one email per outbox row',
      'every revocation denied everywhere',
      'audit chain verifies',
      'no 5xx outside outage windows',
      'readiness told the truth',
    ])
      expect(stdout).toContain(`PASS  ${invariant}`);
    expect(code).toBe(0);
  }, 240_000);
});
