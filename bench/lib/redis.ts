/**
 * Debian's redis-server as the reference: installed with apt-get when missing, started on 127.0.0.1 in a
 * temp dir on bench ports (the cluster bus port too, via `cluster-port`), with persistence off, and stopped
 * by the caller through the tracked-process helpers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { allocatePort } from './ports.js';
import { startProcess, type Tracked, waitUntil } from './processes.js';

const execFileAsync = promisify(execFile);
const redisStartTimeoutMs = 10_000;
const clusterConvergeTimeoutMs = 20_000;

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    // `command -v` exits non-zero exactly when the command is missing: that is the answer, not an error.
    return false;
  }
}

/** Installs redis-server and redis-tools with apt-get if any of the three commands is missing. */
export function ensureRedisInstalled(): void {
  if (['redis-server', 'redis-cli', 'redis-benchmark'].every(hasCommand)) return;
  console.log('bench: installing redis-server and redis-tools with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server', 'redis-tools'], {
    stdio: 'inherit',
    env,
  });
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

export interface RedisInstance {
  port: number;
  process: Tracked;
}

async function startRedis(directory: string, extraArgs: string[], name: string): Promise<RedisInstance> {
  const port = await allocatePort();
  mkdirSync(directory, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '']
    .concat(['--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no'])
    .concat(extraArgs);
  const child = startProcess(name, 'redis-server', args, { logFile: path.join(directory, 'redis.log') });
  await waitUntil(
    `${name} on ${port}`,
    async () => (await redisCli(port, 'ping')).trim() === 'PONG',
    redisStartTimeoutMs,
  );
  return { port, process: child };
}

export function startRedisStandalone(directory: string): Promise<RedisInstance> {
  return startRedis(directory, [], 'redis-standalone');
}

/** Starts `masters` instances with cluster-enabled and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(directory: string, masters: number): Promise<RedisInstance[]> {
  const instances: RedisInstance[] = [];
  for (let index = 0; index < masters; index++) {
    const busPort = await allocatePort();
    const instanceDirectory = path.join(directory, `redis-${index}`);
    const extra = ['--cluster-enabled', 'yes', '--cluster-port', String(busPort)].concat([
      '--cluster-config-file',
      path.join(instanceDirectory, 'nodes.conf'),
    ]);
    instances.push(await startRedis(instanceDirectory, extra, `redis-cluster-${index}`));
  }
  const addresses = instances.map((instance) => `127.0.0.1:${instance.port}`);
  await execFileAsync('redis-cli', [
    '--cluster',
    'create',
    ...addresses,
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  const first = instances[0]!.port;
  await waitUntil(
    'redis cluster state ok',
    async () => /cluster_state:ok/.test(await redisCli(first, 'cluster', 'info')),
    clusterConvergeTimeoutMs,
  );
  return instances;
}

/** `used_memory` from INFO memory, in bytes. */
export async function redisUsedMemoryBytes(port: number): Promise<number> {
  const info = await redisCli(port, 'info', 'memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match?.[1]) throw new Error(`bench: no used_memory in INFO from port ${port}`);
  return Number(match[1]);
}
