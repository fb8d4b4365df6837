/**
 * Every process a benchmark starts is tracked here, started in its own process group, and stopped in
 * `finally` and on SIGINT/SIGTERM, so an interrupted run leaves nothing listening.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** How long a process gets after SIGTERM before SIGKILL. */
const stopGraceMs = 3_000;

export interface Tracked {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
}

const tracked = new Set<Tracked>();
let signalHandlersInstalled = false;

function installSignalHandlers(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}: stopping ${tracked.size} processes`);
      for (const entry of tracked) signalGroup(entry, 'SIGKILL');
      process.exit(130);
    });
  }
  process.once('exit', () => {
    for (const entry of tracked) signalGroup(entry, 'SIGKILL');
  });
}

function signalGroup(entry: Tracked, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group we created with `detached`, so grandchildren stop too.
    process.kill(-entry.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      console.warn(`bench: could not signal ${entry.name} (${entry.pid}): ${String(error)}`);
    }
  }
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go (appended); the run's temp dir keeps them for post-mortems. */
  logFile: string;
}

/** Starts a tracked process in its own group, logging its output to a file. */
export function startProcess(name: string, command: string, args: string[], options: StartOptions): Tracked {
  installSignalHandlers();
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`bench: could not start ${name} (${command})`);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry: Tracked = { name, child, pid: child.pid, exited };
  tracked.add(entry);
  void exited.then(() => tracked.delete(entry));
  return entry;
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export async function stopProcess(entry: Tracked): Promise<void> {
  if (!tracked.has(entry)) return;
  signalGroup(entry, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(entry, 'SIGKILL'), stopGraceMs);
  await entry.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...tracked].map((entry) => stopProcess(entry)));
}

/** Waits until `probe` resolves true, polling; throws with the name after `timeoutMs`. */
export async function waitUntil(
  description: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${description}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`bench: no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
