import Redis from 'ioredis';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';
import { eventually } from './wait';

const run = promisify(execFile);

/** A Redis Cluster of the test's own, with no persistence, in a temporary directory. */
export interface PrivateRedisCluster {
  /** Every node's port, masters first. */
  ports: number[];
  /** For REDIS_CLUSTER_NODES: `redis://127.0.0.1:<port>` of every node, comma-separated. */
  nodes: string;
  /** SIGKILLs the node on `port`, as a crash; resolves once it has exited. */
  kill(port: number): Promise<void>;
  /**
   * Starts a killed node again with its cluster configuration: it rejoins, as a replica when its
   * slots have moved meanwhile. Resolves once it is a master or a replica in sync.
   */
  restart(port: number): Promise<void>;
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
 * Starts `masters` (3) × (1 + `replicas`) `redis-server --cluster-enabled yes` processes on free
 * ports, each with its bus on a second free port (`--cluster-port`), forms the cluster with
 * `redis-cli --cluster create` (slots split evenly over the masters, `replicas` replicas each), and
 * resolves once every node reports `cluster_state:ok` and every replica is in sync with its master.
 * A node that stops answering for 3 s (`cluster-node-timeout`) is failed over to its replica.
 */
export async function startPrivateRedisCluster(masters = 3, replicas = 0): Promise<PrivateRedisCluster> {
  const size = masters * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-cluster-'));
  const inSync = (port: number) =>
    eventually(
      async () => {
        const replication = await info(port, 'replication');
        return replication.includes('role:master') || replication.includes('master_link_status:up');
      },
      20_000,
      `node ${port} a master or a replica in sync`,
    );
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const argsOf: string[][] = [];
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
        ...['--cluster-node-timeout', '3000', '--save', '', '--appendonly', 'no', '--dir', dir],
      ];
      argsOf.push(args);
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) {
      await eventually(() => info(port, 'server').then(Boolean), 10_000, `redis-server on ${port} answering`);
    }
    const addresses = ports.map((p) => `127.0.0.1:${p}`);
    const create = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'];
    await run('redis-cli', create);
    for (const port of ports) {
      await eventually(
        async () => (await info(port, 'cluster')).includes('cluster_state:ok'),
        20_000,
        `cluster state ok on ${port}`,
      );
      await inSync(port);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const kill = async (port: number) => {
    const child = children[ports.indexOf(port)];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const restart = async (port: number) => {
    const i = ports.indexOf(port);
    const child = children[i];
    if (!child || (child.exitCode === null && child.signalCode === null)) return;
    children[i] = spawn('redis-server', argsOf[i]!, { stdio: 'ignore' });
    await eventually(() => info(port, 'server').then(Boolean), 10_000, `redis-server on ${port} answering`);
    await inSync(port);
  };
  return { ports, nodes: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), kill, restart, stop };
}
