/**
 * `pnpm bench:app-ratio`: issue 7's application-level ratio (RingClient against a ringkv cluster over
 * ioredis against a 3-master Redis Cluster, the same Node program) measured in interleaved pairs, so the
 * machine's drift lands on both sides of each ratio. `bench:cluster` runs every ringkv target and then
 * Redis minutes later; on a machine whose speed moves by a quarter within the hour, a single ratio from it
 * can be met in one run and missed in the next with the same code (docs/PERFORMANCE.md, session 14).
 *
 * Both clusters run for the whole benchmark; the one not measured is idle (ringkv's gossip and repair
 * timers, Redis's cron), and each cell reads the servers' CPU of the measured side only.
 *   pnpm bench:app-ratio [--rf 3] [--workers 50,1000] [--rounds 3] [--cell-seconds 5] [--no-write]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type KvAdapter, runAppLoad } from '../lib/app-load.js';
import { createAppAdapter } from '../lib/app-open-loop-process.js';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { withCpuShares } from '../lib/cpu.js';
import { jsonValueText, redisValue, valueBytes } from '../lib/keys.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { stopProcess } from '../lib/processes.js';
import { ensureRedisInstalled, startRedisCluster } from '../lib/redis.js';
import { startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { markdownTable, terminalTable } from '../lib/table.js';
import { preloadWs } from '../lib/ws-preload.js';
import { log } from './app-cells.js';
import { type PairRow, pairColumns, summarizePairs } from './app-ratio-report.js';
import { createIoredisClusterAdapter, preloadRedisCluster } from './redis-adapter.js';

const keys = 100_000;
const readFraction = 0.9;
const warmupMs = 1_000;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rf: { type: 'string', default: '3' },
      workers: { type: 'string', default: '50,1000' },
      rounds: { type: 'string', default: '3' },
      'cell-seconds': { type: 'string', default: '5' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const replicationFactor = Number(values.rf);
  const workers = values.workers.split(',').map(Number);
  const rounds = Number(values.rounds);
  const cellMs = Number(values['cell-seconds']) * 1000;
  if (replicationFactor !== 1 && replicationFactor !== 3) throw new Error('--rf must be 1 or 3');
  if (!workers.every((count) => Number.isInteger(count) && count >= 1 && count <= 5_000)) {
    throw new Error('--workers must be a comma-separated list of 1-5000');
  }
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) throw new Error('--rounds must be 1-10');
  if (!(cellMs >= 1_000 && cellMs <= 30_000)) throw new Error('--cell-seconds must be 1-30');
  return { replicationFactor, workers, rounds, cellMs, write: !values['no-write'] };
}

interface Side {
  name: string;
  pids: number[];
  adapter: KvAdapter;
  value: string;
}

/** One closed-loop app cell: ops/s and the measured side's server CPU. */
async function cell(side: Side, workers: number, cellMs: number, seed: number) {
  const options = { durationMs: cellMs, warmupMs, keyspace: keys, readFraction, value: side.value, seed };
  const [result, cpu] = await withCpuShares(side.pids, () =>
    runAppLoad(side.adapter, { ...options, workers }),
  );
  if (result.errors > 0) throw new Error(`${side.name}: ${result.errors} errors (${result.errorSample})`);
  const warming = seed === 0 ? ' (warm-up, not recorded)' : '';
  log(`${side.name} ${workers} workers: ${Math.round(result.opsPerSecond)} ops/s${warming}`);
  return {
    opsPerSecond: result.opsPerSecond,
    serverCpuPercent: cpu.serverPercent,
    clientCpuPercent: cpu.generatorPercent,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-bench-app-ratio-'));
  // Quorums of 2 of 3 replicas (issue 7's rf 3 cell), or of the one replica at rf 1 (the CLI's default
  // of 2 is refused with one replica).
  const quorum = options.replicationFactor === 3 ? 2 : 1;
  const ringkvName = `ringkv 3 nodes rf${options.replicationFactor}${quorum > 1 ? ` q${quorum}` : ''} RingClient`;
  log(`bench:app-ratio: ${ringkvName} against Redis Cluster ioredis; logs in ${directory}`);
  ensureRedisInstalled();
  const nodes = await startRingkvCluster(3, {
    logDirectory: path.join(directory, 'ringkv'),
    replicationFactor: options.replicationFactor,
    readQuorum: quorum,
    writeQuorum: quorum,
  });
  const redis = await startRedisCluster(path.join(directory, 'redis'), 3);
  const adapters: KvAdapter[] = [];
  try {
    const urls = webSocketUrls(nodes);
    const preload = { urls, count: keys, valueJson: jsonValueText, batchSize: 500, connections: 8 };
    const loaded = await preloadWs({ ...preload, timeoutMs: 120_000 });
    if (loaded.failures > 0) throw new Error(`ringkv preload: ${loaded.failures} failures`);
    const ports = redis.map((instance) => instance.port);
    const { adapter: loader, cluster } = createIoredisClusterAdapter(ports);
    await preloadRedisCluster(cluster, keys);
    await loader.close();
    log(`both preloaded with ${keys} keys`);
    const ringkv: Side = {
      name: ringkvName,
      pids: nodes.map((node) => node.process.pid!),
      adapter: await createAppAdapter({ kind: 'ringkv', urls }),
      value: 'v'.repeat(valueBytes - 2),
    };
    adapters.push(ringkv.adapter);
    const ioredis: Side = {
      name: 'Redis Cluster ioredis',
      pids: redis.map((instance) => instance.process.pid!),
      adapter: await createAppAdapter({ kind: 'redis', ports }),
      value: redisValue,
    };
    adapters.push(ioredis.adapter);
    // One unrecorded cell per side and worker count first: a client library's first seconds in a process
    // run colder code (ioredis's first cell here was 45,755 ops/s, its next ones 50-61k).
    for (const workers of options.workers) {
      for (const side of [ringkv, ioredis]) await cell(side, workers, 2_000, 0);
    }
    const rows: PairRow[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const workers of options.workers) {
        // Alternate which side goes first, so neither always runs on the warmer (or the busier) machine.
        const ringkvFirst = round % 2 === 1;
        const first = await cell(ringkvFirst ? ringkv : ioredis, workers, options.cellMs, round);
        const second = await cell(ringkvFirst ? ioredis : ringkv, workers, options.cellMs, round);
        const [ours, theirs] = ringkvFirst ? [first, second] : [second, first];
        rows.push({
          round,
          workers,
          first: ringkvFirst ? 'ringkv' : 'ioredis',
          ringkvOpsPerSecond: ours.opsPerSecond,
          ioredisOpsPerSecond: theirs.opsPerSecond,
          ringkvServerCpuPercent: ours.serverCpuPercent,
          ioredisServerCpuPercent: theirs.serverCpuPercent,
          ringkvClientCpuPercent: ours.clientCpuPercent,
          ioredisClientCpuPercent: theirs.clientCpuPercent,
        });
      }
    }
    const summary = summarizePairs(rows);
    console.log(terminalTable(rows, pairColumns));
    for (const line of summary) console.log(line);
    if (options.write) {
      const heading = `## App-level ratio, interleaved (rf ${options.replicationFactor})`;
      const command = `pnpm bench:app-ratio --rf ${options.replicationFactor} --workers ${options.workers.join(',')} --rounds ${options.rounds} --cell-seconds ${options.cellMs / 1000}`;
      const notes = [
        '',
        `${ringkvName} against Redis Cluster ioredis (3 masters), the same Node program: W async workers each ` +
          `awaiting one call at a time, 90% reads / 10% updates over ${keys.toLocaleString('en-US')} preloaded ` +
          `keys, 100-byte values, each cell ${options.cellMs / 1000} s after ${warmupMs / 1000} s of warm-up. ` +
          'Both clusters run throughout; each side first runs one unrecorded 2 s cell per worker count, then ' +
          'the cells alternate, and the side that goes first alternates by round. ' +
          `1-minute load average at the end: ${(os.loadavg()[0] ?? 0).toFixed(2)}.`,
        '',
        markdownTable(rows, pairColumns),
        '',
        ...summary,
      ];
      writeBenchmarksSection(heading, describeRun(command, machine, notes));
      log(`bench:app-ratio: wrote the "${heading}" section of BENCHMARKS.md`);
    }
  } finally {
    for (const adapter of adapters) await adapter.close();
    await stopRingkv(nodes);
    await Promise.all(redis.map((instance) => stopProcess(instance.process)));
  }
}

await main();
