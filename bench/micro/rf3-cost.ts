/**
 * What one RingClient operation costs a 3-node cluster with replication factor 3 and quorums of 2: the
 * servers' CPU microseconds per operation (and the app's), closed loop with 50 and 1,000 workers and open
 * loop at a fixed rate (so two builds compared at the same rate do the same work per second), plus the
 * replica batches the nodes sent (from /metrics). Run it from an `ab-snapshot.sh` tree to compare builds:
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/rf3-cost.ts [--seconds 4] [--rate 6000]
 *     [--cells closed50,closed1000,open] [--read-fraction 0.9] [--keys 100000] [--cpu-prof-dir DIR]  (the nodes' profiles, written when they stop)
 *     [--node-flag=--some-v8-flag ...] (added to every node's command line; repeatable; the nodes' output goes to the log directory it prints)
 * Same keys, values and 90/10 mix as bench:cluster's app cells; ports from bench/lib/ports.ts.
 * The app (this process) runs with Node's default V8 flags. About one closed1000 run in three then lands
 * in V8's allocation-site pretenuring and costs the app twice the CPU per operation (docs/PERFORMANCE.md,
 * session 15). For A/B pairs, start it as `node --no-allocation-site-pretenuring --import tsx
 * bench/micro/rf3-cost.ts ...` to keep that mode out of the comparison.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRingClientAdapter } from '../cluster/ringkv-adapter.js';
import { type AppLoadOptions, runAppLoad, runAppOpenLoop } from '../lib/app-load.js';
import { processSyscalls, withCpuShares } from '../lib/cpu.js';
import { jsonValueText, valueBytes } from '../lib/keys.js';
import { scrapeText, unlabelledValues } from '../lib/node-metrics.js';
import { stopAll } from '../lib/processes.js';
import { type RingkvNode, startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { readMainThreadSchedule } from '../lib/schedstat.js';
import { preloadWs } from '../lib/ws-preload.js';

/** Short names of the /metrics totals summed over the nodes, and the metric each stands for. */
const replicationMetrics: Record<string, string> = {
  read_batches: 'ringkv_replica_read_batches',
  read_keys: 'ringkv_replica_read_keys',
  write_batches: 'ringkv_replica_write_batches',
  write_keys: 'ringkv_replica_write_keys',
  read_repairs: 'ringkv_read_repairs',
  peer_frames: 'ringkv_peer_frames_sent',
  peer_messages: 'ringkv_peer_messages_sent',
};
const replicationNames = Object.keys(replicationMetrics);

/** The replication and peer-link totals of every node, summed. */
async function replicationTotals(nodes: readonly RingkvNode[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = Object.fromEntries(replicationNames.map((name) => [name, 0]));
  const metricOf = (name: string) => replicationMetrics[name]!;
  for (const node of nodes) {
    const values = unlabelledValues(await scrapeText(node.address), replicationNames.map(metricOf));
    for (const name of replicationNames) totals[name]! += values.get(metricOf(name)) ?? 0;
  }
  return totals;
}

/**
 * Timeslices of the processes' main threads so far, summed: each is a stretch on a CPU, so each one after
 * the first was a wakeup (or a return after preemption), with the caches the other processes left behind.
 */
function mainThreadTimeslices(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readMainThreadSchedule(pid)?.timeslices ?? 0), 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seconds: { type: 'string', default: '4' },
      rate: { type: 'string', default: '6000' },
      cells: { type: 'string', default: 'closed50,closed1000,open' },
      'read-fraction': { type: 'string', default: '0.9' },
      keys: { type: 'string', default: '100000' },
      'cpu-prof-dir': { type: 'string' },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const readFraction = Number(values['read-fraction']);
  if (!(seconds >= 1 && seconds <= 30) || !(rate >= 100 && rate <= 100_000)) {
    throw new Error('--seconds must be 1-30 and --rate 100-100000');
  }
  if (!(readFraction >= 0 && readFraction <= 1)) throw new Error('--read-fraction must be from 0 to 1');
  const keys = Number(values.keys);
  if (!(Number.isInteger(keys) && keys >= 100 && keys <= 10_000_000))
    throw new Error('--keys must be 100-10000000');
  const logDirectory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-rf3-cost-'));
  console.log(`node logs: ${logDirectory}`);
  const profile = values['cpu-prof-dir'];
  const nodes = await startRingkvCluster(3, {
    logDirectory,
    replicationFactor: 3,
    readQuorum: 2,
    writeQuorum: 2,
    nodeFlags: [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : []),
      ...values['node-flag'],
    ],
  });
  try {
    const urls = webSocketUrls(nodes);
    const preload = { urls, count: keys, valueJson: jsonValueText, batchSize: 500, connections: 8 };
    await preloadWs({ ...preload, timeoutMs: 120_000 });
    const adapter = await createRingClientAdapter(urls);
    const common: Omit<AppLoadOptions, 'workers'> = {
      durationMs: seconds * 1000,
      warmupMs: 1000,
      keyspace: keys,
      readFraction,
      value: 'v'.repeat(valueBytes - 2),
      seed: 7,
    };
    const pids = nodes.map((node) => node.process.pid!);
    const cells: Record<string, [string, () => ReturnType<typeof runAppLoad>]> = {
      closed50: ['closed 50', () => runAppLoad(adapter, { ...common, workers: 50 })],
      closed1000: ['closed 1000', () => runAppLoad(adapter, { ...common, workers: 1000 })],
      open: [
        `open ${rate}/s`,
        () => runAppOpenLoop(adapter, { ...common, workers: 1, opsPerSecond: rate, inflightMax: 5000 }),
      ],
    };
    for (const cell of values.cells.split(',')) {
      const workers = /^closed(\d+)$/.exec(cell);
      if (workers && !cells[cell]) {
        const count = Number(workers[1]);
        cells[cell] = [`closed ${count}`, () => runAppLoad(adapter, { ...common, workers: count })];
      }
      if (!cells[cell]) throw new Error(`--cells: unknown ${cell}; known: ${Object.keys(cells).join(', ')}`);
      const [name, run] = cells[cell];
      const before = await replicationTotals(nodes);
      const syscallsBefore = pids.map((pid) => processSyscalls(pid));
      const appSyscallsBefore = processSyscalls('self');
      const slicesBefore = mainThreadTimeslices(pids);
      const appSlicesBefore = mainThreadTimeslices([process.pid]);
      // The cell's span on CLOCK_MONOTONIC, the clock V8's .cpuprofile timestamps use (microseconds).
      const startMicros = process.hrtime.bigint() / 1000n;
      // For tools attached from outside (perf, strace): the load starts now, warm-up first.
      console.log(`${name}: started`);
      const [result, cpu] = await withCpuShares(pids, run);
      const endMicros = process.hrtime.bigint() / 1000n;
      const after = await replicationTotals(nodes);
      const syscallsAfter = pids.map((pid) => processSyscalls(pid));
      const appSyscallsAfter = processSyscalls('self');
      const slicesAfter = mainThreadTimeslices(pids);
      const appSlicesAfter = mainThreadTimeslices([process.pid]);
      if (profile) console.log(`${name}: profile window ${startMicros} ${endMicros}`);
      // Over the whole cell (warm-up included), so per-op figures use the same span's CPU shares.
      const delta = (key: string) => after[key]! - before[key]!;
      const ops = result.opsPerSecond;
      // Operations over the whole cell, warm-up included, like the syscall counts they divide.
      const cellOps = (ops * Number(endMicros - startMicros)) / 1e6;
      const perOp = (count: number) => (count / cellOps).toFixed(2);
      const serverReads = syscallsAfter.reduce(
        (sum, now, index) => sum + now.reads - syscallsBefore[index]!.reads,
        0,
      );
      const serverWrites = syscallsAfter.reduce(
        (sum, now, index) => sum + now.writes - syscallsBefore[index]!.writes,
        0,
      );
      console.log(
        [
          `${name}: ${Math.round(ops)} ops/s, p99 ${result.latency.p99Ms.toFixed(1)} ms, errors ${result.errors}`,
          `server ${cpu.serverPercent.toFixed(0)}% = ${((cpu.serverPercent * 1e4) / ops).toFixed(1)} us/op`,
          `app ${cpu.generatorPercent.toFixed(0)}% = ${((cpu.generatorPercent * 1e4) / ops).toFixed(1)} us/op`,
          `replica read keys ${Math.round(delta('read_keys') / seconds)}/s in ${(delta('read_keys') / Math.max(1, delta('read_batches'))).toFixed(1)} per batch`,
          `write keys ${Math.round(delta('write_keys') / seconds)}/s`,
          `${(delta('write_keys') / Math.max(1, delta('write_batches'))).toFixed(1)} per batch`,
          `read repairs ${delta('read_repairs')}`,
          `peer frames per op ${perOp(delta('peer_frames'))} (${(delta('peer_messages') / Math.max(1, delta('peer_frames'))).toFixed(1)} messages each)`,
          `syscalls per op: servers ${perOp(serverReads)} reads ${perOp(serverWrites)} writes`,
          `app ${perOp(appSyscallsAfter.reads - appSyscallsBefore.reads)} reads ${perOp(appSyscallsAfter.writes - appSyscallsBefore.writes)} writes`,
          `main-thread timeslices per op: servers ${perOp(slicesAfter - slicesBefore)}, app ${perOp(appSlicesAfter - appSlicesBefore)}`,
        ].join('; '),
      );
    }
    await adapter.close();
  } finally {
    await stopRingkv(nodes);
    await stopAll();
  }
}

await main();
