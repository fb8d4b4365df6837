/**
 * `pnpm bench:memory`: bytes of RSS per stored key for 1,000,000 keys (16-byte keys, 100-byte values) in a
 * ringkv node with `--memory` and with `--data` (the embedded LMDB engine), beside Redis's `used_memory`
 * for the same data. Loads through pipelined batches; bounded in time. Replaces `## Memory` in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { jsonValueText, keyAt, redisValue } from '../lib/keys.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { scrapeText, unlabelledValues } from '../lib/node-metrics.js';
import { residentBytes, sleep, stopAll, stopProcess } from '../lib/processes.js';
import { ensureRedisInstalled, redisUsedMemoryBytes, startRedisStandalone } from '../lib/redis.js';
import { type RingkvNodeOptions, startRingkvNode } from '../lib/ringkv.js';
import { type Column, markdownTable, terminalTable } from '../lib/table.js';
import { preloadWs } from '../lib/ws-preload.js';

interface Row {
  target: string;
  measure: string;
  beforeBytes?: number;
  afterBytes?: number;
  diskBytes?: number;
  keys: number;
  loadSeconds?: number;
  note?: string;
}

/** Time for the node to settle (GC, LMDB flush) before RSS is read. */
const settleMs = 3_000;
/** Per engine; a starved machine stops there and reports bytes per key for the keys actually loaded. */
const loadTimeoutMs = 240_000;

function directoryBytes(directory: string): number {
  return Number(execFileSync('du', ['-sb', directory], { encoding: 'utf8' }).split('\t')[0]);
}

const heapUsed = 'nodejs_heap_size_used_bytes';
const heapTotal = 'nodejs_heap_size_total_bytes';

/** The node's V8 heap, in use and committed (from its /metrics). */
async function heapBytes(address: string): Promise<{ used: number; total: number }> {
  const values = unlabelledValues(await scrapeText(address), [heapUsed, heapTotal]);
  const used = values.get(heapUsed);
  const total = values.get(heapTotal);
  if (used === undefined || total === undefined) throw new Error(`${address}/metrics: no V8 heap sizes`);
  return { used, total };
}

async function measureRingkv(label: string, keys: number, options: RingkvNodeOptions, rows: Row[]) {
  const node = await startRingkvNode({ ...options, replicationFactor: 1, readQuorum: 1, writeQuorum: 1 });
  try {
    await sleep(settleMs);
    const beforeBytes = await residentBytes(node.process.pid);
    const heapBefore = await heapBytes(node.address);
    const loaded = await preloadWs({
      urls: [`ws://${node.address}/ws`],
      count: keys,
      valueJson: jsonValueText,
      batchSize: 1_000,
      connections: 4,
      timeoutMs: loadTimeoutMs,
      allowPartial: true,
    });
    if (loaded.failures > 0)
      throw new Error(`load: ${loaded.failures} failures, e.g. ${loaded.failureSample}`);
    await sleep(settleMs);
    const afterBytes = await residentBytes(node.process.pid);
    const heapAfter = await heapBytes(node.address);
    const diskBytes = options.dataDirectory ? directoryBytes(options.dataDirectory) : undefined;
    rows.push({
      target: label,
      measure: 'RSS',
      beforeBytes,
      afterBytes,
      diskBytes,
      keys: loaded.keys,
      loadSeconds: loaded.elapsedMs / 1000,
      note: loaded.keys < keys ? `load stopped at the ${loadTimeoutMs / 1000} s bound` : undefined,
    });
    const heapRow = { target: label, keys: loaded.keys };
    rows.push({
      ...heapRow,
      measure: 'V8 heap used',
      beforeBytes: heapBefore.used,
      afterBytes: heapAfter.used,
    });
    rows.push({
      ...heapRow,
      measure: 'V8 heap total',
      beforeBytes: heapBefore.total,
      afterBytes: heapAfter.total,
    });
  } finally {
    await stopProcess(node.process);
  }
}

async function measureRedis(keys: number, directory: string, rows: Row[]) {
  ensureRedisInstalled();
  const instance = await startRedisStandalone(path.join(directory, 'redis'));
  const client = new Redis({ host: '127.0.0.1', port: instance.port, lazyConnect: false });
  try {
    const beforeBytes = await redisUsedMemoryBytes(instance.port);
    const beforeRss = await residentBytes(instance.process.pid);
    const started = performance.now();
    let loadedKeys = 0;
    for (let first = 0; first < keys && performance.now() - started < loadTimeoutMs; first += 1_000) {
      const pipeline = client.pipeline();
      for (let index = first; index < Math.min(keys, first + 1_000); index++)
        pipeline.set(keyAt(index), redisValue);
      await pipeline.exec();
      loadedKeys = Math.min(keys, first + 1_000);
    }
    const loadSeconds = (performance.now() - started) / 1000;
    const afterBytes = await redisUsedMemoryBytes(instance.port);
    const afterRss = await residentBytes(instance.process.pid);
    const common = { target: 'Redis 7 (one instance)', keys: loadedKeys };
    rows.push({ ...common, measure: 'used_memory', beforeBytes, afterBytes, loadSeconds });
    rows.push({ ...common, measure: 'RSS', beforeBytes: beforeRss, afterBytes: afterRss });
  } finally {
    await client.quit();
    await stopProcess(instance.process);
  }
}

function columns(): Column<Row>[] {
  const perKey = (row: Row) =>
    row.afterBytes === undefined || row.beforeBytes === undefined
      ? undefined
      : (row.afterBytes - row.beforeBytes) / row.keys;
  const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 2 ** 20);
  return [
    { header: 'target', cell: (row) => row.target, alignRight: false },
    { header: 'measure', cell: (row) => row.measure, alignRight: false },
    { header: 'keys', cell: (row) => row.keys },
    { header: 'before MiB', cell: (row) => mib(row.beforeBytes) },
    { header: 'after MiB', cell: (row) => mib(row.afterBytes) },
    { header: 'bytes/key (after - before)', cell: perKey },
    { header: 'on disk MiB', cell: (row) => mib(row.diskBytes) },
    { header: 'load s', cell: (row) => row.loadSeconds },
    { header: 'note', cell: (row) => row.note ?? '', alignRight: false },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      keys: { type: 'string', default: '1000000' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const keys = Number(values.keys);
  if (!Number.isInteger(keys) || keys < 1_000 || keys > 5_000_000)
    throw new Error('--keys must be from 1000 to 5000000');
  const machine = machineInfo();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-bench-memory-'));
  const rows: Row[] = [];
  const attempts: Array<[string, () => Promise<void>]> = [
    ['ringkv --memory', () => measureRingkv('ringkv --memory', keys, { logDirectory: directory }, rows)],
    [
      'ringkv --data (LMDB)',
      () =>
        measureRingkv(
          'ringkv --data (LMDB)',
          keys,
          { logDirectory: directory, dataDirectory: path.join(directory, 'data') },
          rows,
        ),
    ],
    ['Redis', () => measureRedis(keys, directory, rows)],
  ];
  try {
    for (const [label, attempt] of attempts) {
      try {
        await attempt();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        console.error(`bench:memory: ${label} failed: ${reason}`);
        rows.push({ target: label, measure: '-', keys, note: `not measured: ${reason.slice(0, 160)}` });
      }
    }
  } finally {
    await stopAll();
  }
  console.log(`\n${terminalTable(rows, columns())}\n`);
  const notes = [
    '',
    `${keys.toLocaleString('en-US')} keys of 16 bytes (\`key:\` + 12 digits) with 100-byte values, loaded in batches of ` +
      '1,000 (ringkv: WebSocket batch frames of `create`, 4 connections; Redis: ioredis pipelines of SET). ' +
      'ringkv is one node with replication factor 1. RSS is read from /proc after 3 s of settling, so it includes ' +
      "V8 heap headroom and, with `--data`, LMDB pages mapped into the process. Redis's figure is `used_memory`. " +
      "ringkv's 'V8 heap used' and 'V8 heap total' are the node's `nodejs_heap_size_used_bytes` and " +
      '`nodejs_heap_size_total_bytes` (its /metrics) at the same two moments: the heap in use (live objects, and ' +
      'garbage that no full collection has reached yet: an idle node runs none) and the heap V8 has committed, ' +
      'free space included.',
  ];
  if (values['no-write'] !== true) {
    const command = `pnpm bench:memory ${process.argv.slice(2).join(' ')}`.trim();
    writeBenchmarksSection(
      '## Memory',
      `${describeRun(command, machine, notes)}\n\n${markdownTable(rows, columns())}`,
    );
    console.log('bench:memory: wrote the ## Memory section of BENCHMARKS.md');
  }
  rmSync(directory, { recursive: true, force: true });
}

await main();
