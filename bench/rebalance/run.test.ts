/**
 * `bench:rebalance` works end to end at a small size: the real script (real node processes, LMDB) with
 * 2,000 keys and 1 s windows, without touching BENCHMARKS.md. It must exit 0, print its tables, load every
 * key, stream keys to the new node, and report a latency for every phase. No assertion on speed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RebalanceBenchResult } from './measure.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const scriptPath = fileURLToPath(new URL('./run.ts', import.meta.url));
const runTimeoutMs = 150_000;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptPath, ...args], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // SIGINT lets the script stop the nodes it started (lib/processes.ts) before it exits.
    const timer = setTimeout(() => child.kill('SIGINT'), runTimeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bench:rebalance', () => {
  it('adds a 4th node to a small loaded cluster and reports streaming and latency per phase', async () => {
    const run = await runBench([
      '--keys',
      '2000',
      '--window-seconds',
      '1',
      '--rate',
      '100',
      '--no-write',
      '--json',
    ]);
    expect(run.code, `stderr: ${run.stderr.slice(-2000)}\nstdout: ${run.stdout.slice(-2000)}`).toBe(0);
    expect(run.stdout).toContain('p99 ms');
    expect(run.stdout).toContain('MB/s');
    const line = run.stdout.split('\n').find((text) => text.startsWith('bench:rebalance:json '));
    const result = JSON.parse(line!.slice('bench:rebalance:json '.length)) as RebalanceBenchResult;
    expect(result.load).toMatchObject({ loaded: 2000, failures: 0 });
    expect(result.latency.map((row) => row.phase)).toEqual([
      'before the move',
      'during the move',
      'after the move',
    ]);
    for (const row of result.latency) expect(row.window.latency.count).toBeGreaterThan(0);
    const newNode = result.streams.find((row) => row.role === 'new node')!;
    expect(newNode.keysMoved).toBeGreaterThan(0);
    expect(result.streams.at(-1)!.keysMoved).toBeGreaterThanOrEqual(newNode.keysMoved);
    expect(result.ideal.find((row) => row.measure === 'new node: primary share')!.value).toBeGreaterThan(0);
  }, 180_000);
});
