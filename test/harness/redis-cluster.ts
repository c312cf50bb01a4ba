import Redis from 'ioredis';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';
import { eventually } from './wait';

const run = promisify(execFile);

/** A Redis Cluster of the test's own: masters only, no persistence, in a temporary directory. */
export interface PrivateRedisCluster {
  ports: number[];
  /** For REDIS_CLUSTER_NODES: `redis://127.0.0.1:<port>` of every master, comma-separated. */
  nodes: string;
  /** Stops every server (SIGKILL after `shutdown nosave` fails) and removes the directory. */
  stop(): Promise<void>;
}

async function info(port: number, section: string): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return section === 'cluster' ? String(await client.cluster('INFO')) : await client.info(section);
  } finally {
    client.disconnect();
  }
}

/**
 * Starts `size` (3) `redis-server --cluster-enabled yes` processes on free ports, each with its bus
 * on a second free port (`--cluster-port`), forms the cluster with `redis-cli --cluster create`
 * (no replicas, slots split evenly), and resolves once every node reports `cluster_state:ok`.
 */
export async function startPrivateRedisCluster(size = 3): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child, i) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        await run('redis-cli', ['-p', String(ports[i]), 'shutdown', 'nosave']).catch(() => child.kill('SIGKILL'));
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort();
      let bus = await freePort();
      while (bus === port) bus = await freePort();
      ports.push(port);
      const args = [
        ...['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
        ...['--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir],
      ];
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) {
      await eventually(() => info(port, 'server').then(Boolean), 10_000, `redis-server on ${port} answering`);
    }
    const addresses = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await eventually(
        async () => (await info(port, 'cluster')).includes('cluster_state:ok'),
        20_000,
        `cluster state ok on ${port}`,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, nodes: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), stop };
}
