/**
 * Real `ringkv node` processes for tests: spawn one (the real CLI through tsx, one OS process, so signals
 * reach the node itself), wait until GET /health answers 200, capture its stdout and stderr, and stop it
 * with SIGTERM (graceful) or SIGKILL (crash). Every process started here is tracked; call
 * `stopAllNodeProcesses()` in afterAll, and any survivor is SIGKILLed when the test process exits.
 *
 *   const node = await startNodeProcess({ args: ['--memory'] });
 *   await fetch(`${node.url}/health`);
 *   await node.stop();            // SIGTERM, then SIGKILL after a bound
 *   await node.kill('SIGKILL');   // crash it
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** The test port range of the server tests; other suites pass their own `portRange`. */
export const defaultPortRange: [number, number] = [20000, 20999];
const outputCharsMax = 4 * 1024 * 1024;
const portAttemptsMax = 8;

export interface NodeProcessOptions {
  /** A fixed port. Without it a free port is picked from `portRange` (and retried if taken meanwhile). */
  port?: number;
  portRange?: [number, number];
  host?: string;
  /** `--data DIR`; without it (and without `--data`/`--memory` in `args`) the node runs with `--memory`. */
  dataDir?: string;
  /** `--token`; also sent to /health while waiting for the node. */
  token?: string;
  /** Extra flags, e.g. ['--vnodes', '16', '--join', '127.0.0.1:20001']. */
  args?: string[];
  /** Extra environment; RINGKV_* variables of the test process are not inherited. */
  env?: Record<string, string>;
  /** How long to wait for /health (default 30 s: tsx compiles the sources on first start). */
  startTimeoutMs?: number;
  /** Wait for /health; false returns as soon as the process is spawned (for tests of start-up failures). */
  waitHealthy?: boolean;
  cwd?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcess {
  readonly host: string;
  readonly port: number;
  /** `HOST:PORT` where this process listens (what `url` and `wsUrl` use). */
  readonly address: string;
  /** The node's id: its `--advertise` address when the args give one, else `address`. */
  readonly id: string;
  readonly url: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** stdout parsed as pino JSON lines (non-JSON lines are skipped). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves once the output matches, rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited (immediately if it has). */
  exited(timeoutMs?: number): Promise<ExitStatus>;
  kill(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when nothing listens on host:port right now (another process may still take it before we do). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port in `range` that is free now, starting from a random point so parallel suites rarely collide. */
export async function pickFreePort(
  range: [number, number] = defaultPortRange,
  host = '127.0.0.1',
): Promise<number> {
  const [low, high] = range;
  const span = high - low + 1;
  const start = Math.floor(Math.random() * span);
  for (let step = 0; step < span; step++) {
    const port = low + ((start + step) % span);
    if (await portIsFree(port, host)) return port;
  }
  throw new Error(`no free port in ${low}-${high}`);
}

function environment(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('RINGKV_')) env[name] = value;
  return { ...env, ...extra };
}

/** The `ringkv node` flags for these options (without the port, which the caller adds). */
export function nodeFlags(options: NodeProcessOptions): string[] {
  const flags = ['--host', options.host ?? '127.0.0.1'];
  const args = options.args ?? [];
  if (options.dataDir !== undefined) flags.push('--data', options.dataDir);
  else if (!args.includes('--data') && !args.includes('--memory')) flags.push('--memory');
  if (options.token !== undefined) flags.push('--token', options.token);
  return [...flags, ...args];
}

/** Spawns `ringkv node` with any arguments (including bad ones) and captures its output. */
export function spawnRingkv(
  args: string[],
  options: Pick<NodeProcessOptions, 'env' | 'cwd'> = {},
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: environment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export async function startNodeProcess(options: NodeProcessOptions = {}): Promise<NodeProcess> {
  const attempts = options.port === undefined ? portAttemptsMax : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await pickFreePort(options.portRange, host));
    const node = launch(port, host, options);
    if (options.waitHealthy === false) return node;
    try {
      await waitHealthy(node, options.token, options.startTimeoutMs ?? 30_000);
      return node;
    } catch (error) {
      lastError = error;
      await node.kill('SIGKILL');
      // Another suite took the port between our check and the node's listen: try another one.
      if (!/EADDRINUSE/.test(node.stderr())) break;
    }
  }
  throw lastError;
}

function launch(port: number, host: string, options: NodeProcessOptions): NodeProcess {
  const child = spawnRingkv(['node', '--port', String(port), ...nodeFlags(options)], options);
  const output = { stdout: '', stderr: '' };
  const append = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    output[stream] += chunk.toString('utf8');
    if (output[stream].length > outputCharsMax) output[stream] = output[stream].slice(-outputCharsMax / 2);
  };
  child.stdout!.on('data', append('stdout'));
  child.stderr!.on('data', append('stderr'));
  let exitStatus: ExitStatus | undefined;
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const exited = async (timeoutMs = 15_000): Promise<ExitStatus> => {
    if (exitStatus) return exitStatus;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const status = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    if (status === undefined) throw new Error(`node ${address} did not exit within ${timeoutMs} ms`);
    return status;
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ExitStatus> => {
    if (!exitStatus) child.kill(signal);
    return exited(timeoutMs);
  };
  return {
    host,
    port,
    address,
    id: advertisedIn(options.args ?? []) ?? address,
    url: `http://${address}`,
    wsUrl: `ws://${address}/ws`,
    child,
    pid: child.pid ?? -1,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    logs: () => parseLogLines(output.stdout),
    exited,
    kill,
    stop: async (timeoutMs = 10_000) => {
      try {
        return await kill('SIGTERM', timeoutMs);
      } catch {
        // It ignored SIGTERM for too long: that is the test's finding to report, but never leave it running.
        return kill('SIGKILL');
      }
    },
    waitForOutput: async (pattern, stream = 'stdout', timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output[stream])) {
        if (Date.now() > deadline)
          throw new Error(`node ${address}: no ${pattern} on ${stream} within ${timeoutMs} ms`);
        await sleep(25);
      }
    },
  };
}

function advertisedIn(args: string[]): string | undefined {
  const index = args.indexOf('--advertise');
  return index >= 0 ? args[index + 1] : undefined;
}

function parseLogLines(text: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut by the output bound, or not ours: skip it.
    }
  }
  return lines;
}

async function waitHealthy(node: NodeProcess, token: string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  let exitStatus: ExitStatus | undefined;
  void node.exited(timeoutMs + 1_000).then(
    (status) => {
      exitStatus = status;
    },
    () => undefined,
  );
  while (Date.now() < deadline) {
    if (exitStatus) {
      throw new Error(
        `node ${node.address} exited (${JSON.stringify(exitStatus)}) before serving: ${node.stderr().trim()}`,
      );
    }
    try {
      const response = await fetch(`${node.url}/health`, { headers });
      if (response.status === 200) return;
    } catch {
      // Not listening yet: poll again.
    }
    await sleep(50);
  }
  throw new Error(
    `node ${node.address} did not answer /health within ${timeoutMs} ms: ${node.stderr().trim()}`,
  );
}

/** Stops every node process started by this module that is still running (SIGTERM, then SIGKILL). */
export async function stopAllNodeProcesses(timeoutMs = 10_000): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
