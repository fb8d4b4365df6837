/**
 * `pnpm bench:cluster`: ringkv (1 node; 3 nodes rf 1; 3 nodes rf 3 with quorums) beside a raw `ws` echo
 * ceiling and a 3-master Redis Cluster, at the protocol level (depth 1, depth 16, batches of 100, and an
 * open-loop run at half the peak) and at the application level (RingClient vs ioredis, W workers).
 * Prints a table and replaces the `## Cluster` section of BENCHMARKS.md. Never pass/fail on speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { stopAll } from '../lib/processes.js';
import { nodeV8Flags } from '../lib/ringkv.js';
import { terminalTable } from '../lib/table.js';
import { type ClusterBenchConfig, parseConfig, type TargetName } from './config.js';
import { clusterColumns, clusterMarkdown } from './report.js';
import { benchEcho, benchRedis, benchRingkv, type ResultRow, type RingkvTarget } from './scenarios.js';

const ringkvTargets: Record<string, RingkvTarget> = {
  'ringkv-1': { name: 'ringkv 1 node rf1', nodes: 1, replicationFactor: 1, quorum: 1 },
  'ringkv-3-rf1': { name: 'ringkv 3 nodes rf1', nodes: 3, replicationFactor: 1, quorum: 1 },
  'ringkv-3-rf3': { name: 'ringkv 3 nodes rf3 q2', nodes: 3, replicationFactor: 3, quorum: 2 },
};

async function runTarget(name: TargetName, config: ClusterBenchConfig, directory: string, rows: ResultRow[]) {
  try {
    if (name === 'echo') await benchEcho(config, directory, rows);
    else if (name === 'redis') await benchRedis(config, directory, rows);
    else await benchRingkv(ringkvTargets[name]!, config, directory, rows);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`bench: ${name} failed: ${reason}`);
    rows.push({
      target: ringkvTargets[name]?.name ?? name,
      level: 'protocol',
      load: '-',
      note: `not measured: ${reason.slice(0, 160)}`,
    });
  }
}

function notes(config: ClusterBenchConfig, loadAverage: number): string[] {
  return [
    '',
    `Load: ${config.connections} connections, 100-byte values, 90% reads / 10% updates over ${config.keys.toLocaleString('en-US')} ` +
      `preloaded 16-byte keys; each cell ${config.cellMs / 1000} s after ${config.warmupMs / 1000} s of warm-up. ` +
      'The Node load generator (one process, `ws`, HdrHistogram) shares the machine with the servers. ' +
      'Redis rows come from `redis-benchmark --cluster -c 50 -P N -d 100 -t get,set -r 100000` (GET and SET run ' +
      'separately; the 90/10 rate is their weighted harmonic mean, the percentiles those of the weighted mix). ' +
      'App rows: one Node process with W async workers each awaiting one call at a time (RingClient vs ioredis ' +
      "Cluster with enableAutoPipelining). Half-peak rows: open loop (latency from each request's intended send time, " +
      'so queueing is not hidden) at half the peak of the same request pattern: at the protocol level every request ' +
      'goes in its own frame, as at depth 1, so half the depth-1 rate of the same target (half the depth-16 rate ' +
      "would offer more than that pattern's peak and measure a saturated server); at the app level half the best " +
      `app-level rate of the same client. Half-peak cells last ${config.halfCellMs / 1000} s (so a major GC weighs in ` +
      'as often as it comes) and, when the target is one server process (the echo, 1 node), run with the ' +
      'generator pinned to CPU 0 and the server to CPU 1 (`taskset`; before 2026-11-27 13:40 nothing was pinned ' +
      'and these cells lasted 5 s); each note says how its cell ran. Since 2026-11-27 19:00 the protocol-level ' +
      'generator runs in its own process and sends each request at its time (`--half-generator`, `--half-schedule`; ' +
      'before, a 1 ms timer in the bench process). Since 2026-11-27 21:46 the app-level half-peak cell runs its ' +
      'client library and call timer in a process of their own too, after a 3 s closed-loop warm-up of that ' +
      'client (bench/lib/app-open-loop-process.ts; before, in the bench process, where it skipped calls). ' +
      'The column "generator send lag p99" is how ' +
      'late the generator itself sent (part of the p99 beside it); the notes add the p99 from the actual send, the ' +
      "generator's loop delay and GC and, for ringkv, the first node's loop delay and GC pauses during the cell. " +
      `ringkv nodes run with \`${nodeV8Flags.join(' ')}\` (packages/node/src/launcher/node-flags.ts). ` +
      'Against 3 nodes the protocol-level generator spreads its connections over all nodes and is not ring-aware (a request may be forwarded one hop); RingClient is.',
    `1-minute load average at the end: ${loadAverage.toFixed(2)}.`,
  ];
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const machine = machineInfo();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-bench-cluster-'));
  const rows: ResultRow[] = [];
  console.log(`bench:cluster: targets ${config.targets.join(', ')}; logs in ${directory}`);
  try {
    for (const name of config.targets) await runTarget(name, config, directory, rows);
  } finally {
    await stopAll();
  }
  console.log(`\n${terminalTable(rows, clusterColumns(rows))}\n`);
  const command = `pnpm bench:cluster ${process.argv.slice(2).join(' ')}`.trim();
  const body = `${describeRun(command, machine, notes(config, os.loadavg()[0] ?? 0))}\n\n${clusterMarkdown(rows)}`;
  if (config.writeMarkdown) {
    writeBenchmarksSection('## Cluster', body);
    console.log('bench:cluster: wrote the ## Cluster section of BENCHMARKS.md');
  }
  // Logs stay for a post-mortem when a target could not be measured.
  if (rows.some((row) => row.result === undefined)) console.log(`bench:cluster: logs kept in ${directory}`);
  else rmSync(directory, { recursive: true, force: true });
}

await main();
