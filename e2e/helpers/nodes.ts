/**
 * Real `ringkv node` processes for the browser tests: the real CLI under tsx, one OS process each, on
 * 127.0.0.1 in the e2e port range (23000-23999). Every process started here is tracked and killed when the
 * test process exits, even if a test forgets to stop it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = fileURLToPath(new URL('../../packages/node/src/cli.ts', import.meta.url));

export const e2ePortRange: [number, number] = [23000, 23999];
const outputCharsMax = 1024 * 1024;
/** tsx compiles the sources on first start; on a busy 2-core machine that takes a while. */
const startTimeoutMs = 120_000;
const portAttemptsMax = 5;

export interface RunningNode {
  readonly address: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  output(): string;
  /** Sends the signal and waits for the exit (SIGKILL for a crash, SIGTERM for a graceful stop). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface NodeOptions {
  join?: string[];
  token?: string;
  vnodes?: number;
  extraArgs?: string[];
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port in the e2e range that is free now, from a random start so concurrent runs rarely collide. */
export async function freePort(): Promise<number> {
  const [low, high] = e2ePortRange;
  const span = high - low + 1;
  const start = Math.floor(Math.random() * span);
  for (let step = 0; step < span; step += 1) {
    const port = low + ((start + step) % span);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high}`);
}

function nodeArgs(port: number, options: NodeOptions): string[] {
  const args = ['node', '--port', String(port), '--host', '127.0.0.1', '--memory'];
  if (options.join && options.join.length > 0) args.push('--join', options.join.join(','));
  if (options.token) args.push('--token', options.token);
  if (options.vnodes) args.push('--vnodes', String(options.vnodes));
  return [...args, ...(options.extraArgs ?? [])];
}

function spawnNode(port: number, options: NodeOptions): RunningNode {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('RINGKV_')) env[name] = value;
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...nodeArgs(port, options)], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > outputCharsMax) output = output.slice(-outputCharsMax / 2);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  const address = `127.0.0.1:${port}`;
  return {
    address,
    url: `http://${address}`,
    port,
    pid: child.pid ?? -1,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitHealthy(node: RunningNode, token: string | undefined): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${node.url}/health`, { headers });
      if (response.status === 200) return;
    } catch {
      // Not listening yet: poll again until the deadline.
    }
    if (/EADDRINUSE|cannot start|exited/i.test(node.output())) break;
    await sleep(100);
  }
  throw new Error(`node ${node.address} did not become healthy: ${node.output().slice(-2000)}`);
}

/** Starts one node on a free e2e port and waits until GET /health answers 200. */
export async function startNode(options: NodeOptions = {}, port?: number): Promise<RunningNode> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === undefined ? portAttemptsMax : 1); attempt += 1) {
    const node = spawnNode(port ?? (await freePort()), options);
    try {
      await waitHealthy(node, options.token);
      return node;
    } catch (error) {
      lastError = error;
      await node.kill('SIGKILL');
      if (!/EADDRINUSE/.test(node.output())) break;
    }
  }
  throw lastError;
}

/** Stops every node this module started that is still running. */
export async function stopAllNodes(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
