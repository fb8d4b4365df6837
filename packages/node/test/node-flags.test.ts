/**
 * Every node process runs with the V8 flags of `launcher/node-flags.ts`, whichever way it is started: by
 * the `ringkv cluster` launcher (NodeProcess) and by the `ringkv` bin wrapper (through tsx's CLI, which
 * passes them on to the process running the node). Checked on the real processes: the node serves (so
 * node accepted the flags) and its command line, read from /proc, carries them. Ports 25200-25299.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeV8Flags as benchNodeFlags } from '../../../bench/lib/ringkv.js';
import { nodeV8Flags } from '../src/launcher/node-flags.js';
import { NodeProcess } from '../src/launcher/node-process.js';
import { portIsFree } from './helpers/node-process.js';

const binPath = fileURLToPath(new URL('../bin/ringkv.mjs', import.meta.url));
const logDir = mkdtempSync(join(tmpdir(), 'ringkv-node-flags-'));
const healthTimeoutMs = 30_000;
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(logDir, { recursive: true, force: true });
});

async function freePort(first: number): Promise<number> {
  for (let port = first; port < first + 50; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port from ${first}`);
}

async function waitHealthy(port: number): Promise<void> {
  const deadline = Date.now() + healthTimeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`node on ${port} not healthy within ${healthTimeoutMs} ms`);
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** The process and all its descendants, from /proc (children lists of every thread). */
function processTree(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  const direct = children === '' ? [] : children.split(' ').map(Number);
  return [pid, ...direct.flatMap(processTree)];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('node process flags', () => {
  it('the benchmarks launch their nodes with the same list (restated in bench/lib/ringkv.ts)', () => {
    expect(benchNodeFlags).toEqual(nodeV8Flags);
  });

  it('the launcher starts each node with them', async () => {
    const port = await freePort(25200);
    const node = new NodeProcess({
      port,
      host: '127.0.0.1',
      dataDir: undefined,
      join: [],
      logPath: join(logDir, 'launcher-node.log'),
      extraArgs: [],
    });
    cleanups.push(async () => {
      node.stop();
      await node.exited;
    });
    await waitHealthy(port);
    const argv = commandLine(node.pid!);
    for (const flag of nodeV8Flags) expect(argv.indexOf(flag)).toBeGreaterThan(0);
    // Node options go before the script: after it they would be the CLI's arguments.
    expect(argv.indexOf(nodeV8Flags[0]!)).toBeLessThan(argv.findIndex((arg) => arg.endsWith('cli.ts')));
  });

  it('the ringkv bin passes them to the process that runs the node', async () => {
    const port = await freePort(25250);
    const bin = spawn(
      process.execPath,
      [binPath, 'node', '--port', String(port), '--host', '127.0.0.1', '--memory'],
      {
        stdio: 'ignore',
        env: { ...process.env, RINGKV_LOG_LEVEL: 'warn' },
      },
    );
    cleanups.push(async () => {
      bin.kill('SIGTERM');
      await exited(bin);
    });
    await waitHealthy(port);
    const runners = processTree(bin.pid!)
      .map(commandLine)
      .filter((argv) => argv.some((arg) => arg.endsWith('src/cli.ts')) && argv.includes('--import'));
    expect(runners).toHaveLength(1);
    for (const flag of nodeV8Flags) expect(runners[0]).toContain(flag);
  });
});
