/**
 * A real `ringkv cluster` launcher (what `pnpm start` runs) for the browser tests, with its control
 * endpoint on a port of the e2e range. Its nodes run in their own process groups, so stopping it sends
 * SIGINT to the launcher (which stops them gracefully) and then kills, by pid, any node that outlived it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './nodes.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = fileURLToPath(new URL('../../packages/node/src/cli.ts', import.meta.url));
const startTimeoutMs = 120_000;
const stopTimeoutMs = 30_000;

export interface RunningLauncher {
  /** Base URL of the first node (the dashboard). */
  firstNodeUrl: string;
  controlUrl: string;
  output(): string;
  stop(): Promise<void>;
}

interface LauncherNodes {
  nodes: Array<{ id: string; pid?: number; running: boolean }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two consecutive free ports (the launcher puts its nodes on consecutive ports). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freePort();
    if (port < 23999 && (await isFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports in the e2e range');
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function startLauncher(nodeCount: number): Promise<RunningLauncher> {
  const basePort = await freePortPair();
  const controlPort = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('RINGKV_')) env[name] = value;
  const args = ['cluster', '--nodes', String(nodeCount), '--base-port', String(basePort), '--memory'];
  args.push('--control-port', String(controlPort));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const controlUrl = `http://127.0.0.1:${controlPort}`;
  const launcher: RunningLauncher = {
    firstNodeUrl: `http://127.0.0.1:${basePort}`,
    controlUrl,
    output: () => output,
    stop: async () => {
      const pids = await nodePids(controlUrl);
      child.kill('SIGINT');
      await Promise.race([exited, sleep(stopTimeoutMs)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const pid of pids) killIfAlive(pid);
    },
  };
  process.once('exit', () => {
    child.kill('SIGKILL');
  });
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    const listed = await readNodes(controlUrl);
    if (listed && listed.nodes.length === nodeCount && (await healthy(launcher.firstNodeUrl)))
      return launcher;
    if (child.exitCode !== null) break;
    await sleep(250);
  }
  await launcher.stop();
  throw new Error(`ringkv cluster did not start: ${output.slice(-2000)}`);
}

async function readNodes(controlUrl: string): Promise<LauncherNodes | null> {
  try {
    const response = await fetch(`${controlUrl}/nodes`);
    return response.ok ? ((await response.json()) as LauncherNodes) : null;
  } catch {
    // Not listening yet.
    return null;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).status === 200;
  } catch {
    // Not listening yet.
    return false;
  }
}

async function nodePids(controlUrl: string): Promise<number[]> {
  const listed = await readNodes(controlUrl);
  return (listed?.nodes ?? []).flatMap((node) => (node.pid === undefined ? [] : [node.pid]));
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch {
    // Already gone: the launcher stopped it, as it should.
    return;
  }
  process.kill(pid, 'SIGKILL');
}
