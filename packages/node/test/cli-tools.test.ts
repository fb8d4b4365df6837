/**
 * `ringkv load` and `ringkv bench` as child processes against a real node: the JSON summary on stdout, the
 * progress bar / live line on stderr, the keys really written, usage errors exit 2.
 */
import { HttpClient } from '@ringkv/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  spawnRingkv,
  startNodeProcess,
  stopAllNodeProcesses,
} from './helpers/node-process.js';

let node: NodeProcess;

function ringkv(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnRingkv(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  node = await startNodeProcess({ portRange: [22100, 22199], args: ['--memory', '--vnodes', '16'] });
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

describe('ringkv load and bench', { timeout: 180_000 }, () => {
  it('load writes N keys with a progress bar and prints ops/s and latency percentiles', async () => {
    const run = await ringkv(['load', '--keys', '300', '--prefix', 'load:', '--url', node.url]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ keys: 300, written: 300, errors: {}, latencyMs: { count: 300 } });
    expect(summary.opsPerSecond).toBeGreaterThan(0);
    expect(summary.latencyMs.p50Ms).toBeLessThanOrEqual(summary.latencyMs.p99Ms);
    expect(summary.latencyMs.p99Ms).toBeLessThanOrEqual(summary.latencyMs.p999Ms);
    expect(run.stderr).toMatch(/load \[.*\] 100% \| 300\/300 keys/);
    expect(run.stderr).toMatch(/loaded 300 of 300 keys .* ops\/s, p50 .* ms, p99 .* ms, p99\.9 .* ms/);
    const http = new HttpClient(node.url);
    await expect(http.read('load:0')).resolves.toMatchObject({ value: 'x'.repeat(100) });
    await expect(http.read('load:299')).resolves.toMatchObject({ key: 'load:299' });
    await expect(http.read('load:300')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('bench runs for its duration with a live line and prints a JSON summary', async () => {
    const run = await ringkv([
      'bench',
      '--duration',
      '2',
      '--concurrency',
      '8',
      '--keys',
      '50',
      '--read-ratio',
      '0.5',
      '--url',
      node.url,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ concurrency: 8, readRatio: 0.5, keys: 50, errors: {} });
    expect(summary.ops).toBe(summary.reads.count + summary.writes.count);
    expect(summary.reads.count).toBeGreaterThan(0);
    expect(summary.writes.count).toBeGreaterThan(0);
    expect(summary.seconds).toBeGreaterThanOrEqual(2);
    expect(run.stderr).toMatch(/^ +\d+ s +\d+ ops\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}errors 0$/m);
  });

  it('bad flags are usage errors (exit 2)', async () => {
    const [noKeys, badRatio] = await Promise.all([
      ringkv(['load', '--url', node.url]),
      ringkv(['bench', '--read-ratio', '1.5', '--url', node.url]),
    ]);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/required option '--keys <n>' not specified/);
    expect(badRatio.code).toBe(2);
    expect(badRatio.stderr).toMatch(/'--read-ratio <r>' argument '1.5' is invalid/);
  });
});
