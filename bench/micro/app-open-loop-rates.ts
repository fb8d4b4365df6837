/**
 * The app-level open loop (`AppOpenLoopProcess`: RingClient and its call timer in a process of their own,
 * as bench:cluster's "app half peak" cell runs it) against one ringkv node with replication factor 1, at
 * each rate given: where the client's latency from the intended call time starts to climb. With --pin, as
 * the cluster bench pins that cell: the client process on CPU 0, the node on CPU 1 (bench/lib/affinity.ts).
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/app-open-loop-rates.ts [--seconds 8] [--pin] 20000 35000 43000
 *     [--child-flag=--trace-gc ...] (added to the client process's Node flags; repeatable)
 * 90% reads / 10% updates of 100,000 preloaded keys, 100-byte values, as the cluster bench's app cells.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCpuSplit, withPinnedCpus } from '../lib/affinity.js';
import { AppOpenLoopProcess } from '../lib/app-open-loop-process.js';
import { valueBytes } from '../lib/keys.js';
import { stopAll } from '../lib/processes.js';
import { startRingkvNode } from '../lib/ringkv.js';
import { preloadBenchKeys } from '../lib/ws-preload.js';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: 'string', default: '8' },
    pin: { type: 'boolean', default: false },
    'child-flag': { type: 'string', multiple: true, default: [] },
  },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
const rates = positionals.map(Number);
if (
  !(seconds >= 1 && seconds <= 60) ||
  rates.length === 0 ||
  rates.some((rate) => !(rate >= 100 && rate <= 200_000))
) {
  throw new Error('usage: app-open-loop-rates.ts [--seconds 1-60] RATE... (each 100-200000 calls/s)');
}
const keyspace = 100_000;
const logDirectory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-app-rates-'));
const node = await startRingkvNode({ logDirectory, replicationFactor: 1, readQuorum: 1, writeQuorum: 1 });
try {
  const urls = [`ws://${node.address}/ws`];
  await preloadBenchKeys(urls, keyspace);
  for (const opsPerSecond of rates) {
    const run = async () => {
      // Started inside the placement, the client process inherits this process's core.
      const generator = await AppOpenLoopProcess.start(
        { kind: 'ringkv', urls },
        {
          workers: 0,
          durationMs: seconds * 1000,
          warmupMs: 1000,
          keyspace,
          readFraction: 0.9,
          value: 'v'.repeat(valueBytes - 2),
          seed: 7,
          opsPerSecond,
          inflightMax: 10_000,
        },
        { extraNodeFlags: values['child-flag'] },
      );
      try {
        return await generator.run();
      } finally {
        await generator.stop();
      }
    };
    const { result, cpuPercent } = values.pin
      ? await withPinnedCpus([node.process.pid], defaultCpuSplit, run)
      : await run();
    const { p50Ms, p99Ms, p999Ms, maxMs } = result.latency;
    console.log(
      `${opsPerSecond}/s offered: ${Math.round(result.opsPerSecond)} ops/s, p50 ${p50Ms.toFixed(2)} p99 ${p99Ms.toFixed(2)} p99.9 ${p999Ms.toFixed(2)} max ${maxMs.toFixed(1)} ms, ${result.skipped} skipped, client process ${Math.round(cpuPercent)}% CPU${values.pin ? ' (pinned)' : ''}`,
    );
  }
} finally {
  await stopAll();
}
