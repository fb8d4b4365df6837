/**
 * The cells of `bench:cluster`: each target is started, loaded with the same keys, driven with every
 * load shape for a bounded time, and stopped. A target that cannot start gets rows saying why, and the
 * run goes on with the others.
 */
import path from 'node:path';
import { withCpuShares } from '../lib/cpu.js';
import { jsonValueText, redisValue, valueBytes } from '../lib/keys.js';
import { allocatePort } from '../lib/ports.js';
import { startProcess, stopProcess, waitUntil } from '../lib/processes.js';
import { ensureRedisInstalled, startRedisCluster } from '../lib/redis.js';
import { mixedLatency, mixedRate, runRedisBenchmark } from '../lib/redis-benchmark.js';
import { repositoryRoot, startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { type LoadResult, type LoadShape, runWsLoad } from '../lib/ws-load.js';
import { preloadWs } from '../lib/ws-preload.js';
import { appCells, describeResult, log, logDelays } from './app-cells.js';
import type { ClusterBenchConfig, ShapeName } from './config.js';
import { halfPeakNote, halfPeakRate } from './half-peak.js';
import { runHalfPeakCell } from './half-peak-cell.js';
import { createIoredisClusterAdapter, preloadRedisCluster } from './redis-adapter.js';

export interface ResultRow {
  target: string;
  level: 'protocol' | 'app';
  load: string;
  result?: LoadResult;
  /** Server CPU (all its processes) and load-generator CPU during the cell, in % of one core. */
  serverCpuPercent?: number;
  generatorCpuPercent?: number;
  note?: string;
}

export const protocolShapes: Array<{ name: ShapeName; label: string; shape: LoadShape; pipeline: number }> = [
  { name: 'depth1', label: 'depth 1', shape: { kind: 'depth', depth: 1 }, pipeline: 1 },
  { name: 'depth16', label: 'depth 16', shape: { kind: 'depth', depth: 16 }, pipeline: 16 },
  { name: 'batch100', label: 'batch 100', shape: { kind: 'batch', size: 100 }, pipeline: 100 },
];

function selectedShapes(config: ClusterBenchConfig) {
  return protocolShapes.filter((entry) => config.shapes.includes(entry.name));
}

/** The protocol cells to run: the selected shapes, and depth 1 whenever half peak needs its rate. */
function protocolCellShapes(config: ClusterBenchConfig) {
  const needsDepth1 = config.shapes.includes('half') && config.halfRate === undefined;
  return protocolShapes.filter(
    (entry) => config.shapes.includes(entry.name) || (needsDepth1 && entry.name === 'depth1'),
  );
}

/** Requests one connection may have in flight in the open-loop (half-peak) runs. */
const openLoopInflightPerConnectionMax = 256;
const preloadTimeoutMs = 120_000;

async function protocolCells(
  target: string,
  urls: string[],
  serverPids: number[],
  config: ClusterBenchConfig,
  rows: ResultRow[],
  metricsAddress?: string,
) {
  const loadOptions = {
    urls,
    connections: config.connections,
    durationMs: config.cellMs,
    warmupMs: config.warmupMs,
    keyspace: config.keys,
    readFraction: config.readFraction,
    valueJson: jsonValueText,
    seed: 7,
  };
  for (const { label, shape } of protocolCellShapes(config)) {
    const [result, cpu] = await withCpuShares(serverPids, () => runWsLoad({ ...loadOptions, shape }));
    log(
      `${target} ${label}: ${describeResult(result)}; CPU server ${Math.round(cpu.serverPercent)}% generator ${Math.round(cpu.generatorPercent)}%`,
    );
    rows.push({
      target,
      level: 'protocol',
      load: label,
      result,
      serverCpuPercent: cpu.serverPercent,
      generatorCpuPercent: cpu.generatorPercent,
    });
  }
  if (!config.shapes.includes('half')) return;
  const opsPerSecond = config.halfRate ?? halfPeakRate(rows, target);
  if (opsPerSecond === undefined) return;
  const shape = {
    kind: 'rate' as const,
    opsPerSecond,
    inflightPerConnectionMax: openLoopInflightPerConnectionMax,
  };
  const halfOptions = { ...loadOptions, durationMs: config.halfCellMs, shape };
  const cell = await runHalfPeakCell(serverPids, config, metricsAddress, halfOptions);
  const { result, cpu, server, placement } = cell;
  log(
    `${target} half peak (${opsPerSecond}/s, ${placement.text}, ${cell.generatorText}): ${describeResult(result)}, ${result.skipped} skipped`,
  );
  logDelays(target, result, server);
  rows.push({
    target,
    level: 'protocol',
    load: 'half peak, open loop',
    result,
    serverCpuPercent: cpu.serverPercent,
    generatorCpuPercent: cpu.generatorPercent,
    note: halfPeakNote(opsPerSecond, result, server, placement, cell),
  });
}

export async function benchEcho(config: ClusterBenchConfig, directory: string, rows: ResultRow[]) {
  const port = await allocatePort();
  const server = startProcess(
    'echo',
    process.execPath,
    ['--import', 'tsx', 'bench/cluster/echo-server.ts', String(port)],
    {
      cwd: repositoryRoot,
      logFile: path.join(directory, 'echo.log'),
    },
  );
  try {
    const urls = [`ws://127.0.0.1:${port}/ws`];
    await waitUntil(
      'echo server',
      async () => (await preloadWs(preloadOptions(urls, 1))).failures === 0,
      20_000,
      200,
    );
    const loaded = await preloadWs(preloadOptions(urls, config.keys));
    log(`echo: preloaded ${loaded.keys} keys in ${Math.round(loaded.elapsedMs)} ms`);
    await protocolCells('ws echo (ceiling)', urls, [server.pid], config, rows);
  } finally {
    await stopProcess(server);
  }
}

function preloadOptions(urls: string[], count: number) {
  return {
    urls,
    count,
    valueJson: jsonValueText,
    batchSize: 500,
    connections: 8,
    timeoutMs: preloadTimeoutMs,
  };
}

export interface RingkvTarget {
  name: string;
  nodes: number;
  replicationFactor: number;
  quorum?: number;
}

export async function benchRingkv(
  spec: RingkvTarget,
  config: ClusterBenchConfig,
  directory: string,
  rows: ResultRow[],
) {
  log(`${spec.name}: starting ${spec.nodes} node(s)`);
  const logDirectory = path.join(directory, spec.name.replace(/[^a-z0-9]+/gi, '-'));
  const nodes = await startRingkvCluster(spec.nodes, {
    logDirectory,
    replicationFactor: spec.replicationFactor,
    readQuorum: spec.quorum,
    writeQuorum: spec.quorum,
    nodeFlags: config.nodeFlags,
  });
  try {
    const urls = webSocketUrls(nodes);
    const loaded = await preloadWs(preloadOptions(urls, config.keys));
    if (loaded.failures > 0)
      throw new Error(`preload: ${loaded.failures} failures, e.g. ${loaded.failureSample}`);
    log(`${spec.name}: preloaded ${loaded.keys} keys in ${Math.round(loaded.elapsedMs)} ms`);
    const pids = nodes.map((node) => node.process.pid);
    const metricsAddress = nodes[0]!.address;
    await protocolCells(spec.name, urls, pids, config, rows, metricsAddress);
    const value = 'v'.repeat(valueBytes - 2);
    const client = { kind: 'ringkv' as const, urls };
    await appCells(`${spec.name} RingClient`, pids, client, value, config, rows, metricsAddress);
  } finally {
    await stopRingkv(nodes);
  }
}

async function redisBenchmarkCells(
  port: number,
  pids: number[],
  config: ClusterBenchConfig,
  rows: ResultRow[],
) {
  for (const { label, pipeline } of selectedShapes(config)) {
    const common = {
      port,
      cluster: true,
      clients: config.connections,
      pipeline,
      valueBytes,
      keyspace: config.keys,
    };
    // A short calibration sizes -n so each test runs about half a cell (GET and SET run one after the other).
    const calibration = await runRedisBenchmark({
      ...common,
      requests: 20_000 * Math.min(pipeline, 10),
      tests: ['get'],
      timeoutMs: 60_000,
    });
    const rate = calibration[0]?.opsPerSecond ?? 50_000;
    const requests = Math.max(10_000, Math.round((rate * config.cellMs) / 2000));
    const [tests, cpu] = await withCpuShares(pids, () =>
      runRedisBenchmark({
        ...common,
        requests,
        tests: ['get', 'set'],
        timeoutMs: config.cellMs * 6 + 30_000,
      }),
    );
    const get = tests.find((test) => test.test === 'GET');
    const set = tests.find((test) => test.test === 'SET');
    if (!get || !set) throw new Error(`redis-benchmark -P ${pipeline}: could not read GET and SET results`);
    const opsPerSecond = mixedRate(get.opsPerSecond, set.opsPerSecond, config.readFraction);
    const latency = mixedLatency(get, set, config.readFraction);
    const result: LoadResult = { opsPerSecond, latency, errors: 0, skipped: 0 };
    log(
      `redis-benchmark -P ${pipeline}: GET ${Math.round(get.opsPerSecond)}/s SET ${Math.round(set.opsPerSecond)}/s`,
    );
    rows.push({
      target: 'Redis Cluster (redis-benchmark)',
      level: 'protocol',
      load: label,
      result,
      serverCpuPercent: cpu.serverPercent,
      note: `-P ${pipeline}; redis-benchmark's own CPU not counted`,
    });
  }
}

export async function benchRedis(config: ClusterBenchConfig, directory: string, rows: ResultRow[]) {
  ensureRedisInstalled();
  const instances = await startRedisCluster(path.join(directory, 'redis'), 3);
  const ports = instances.map((instance) => instance.port);
  try {
    const { adapter, cluster } = createIoredisClusterAdapter(ports);
    await preloadRedisCluster(cluster, config.keys);
    await adapter.close();
    log(`redis: preloaded ${config.keys} keys`);
    const pids = instances.map((instance) => instance.process.pid);
    await redisBenchmarkCells(ports[0]!, pids, config, rows);
    await appCells('Redis Cluster ioredis', pids, { kind: 'redis', ports }, redisValue, config, rows);
  } finally {
    await Promise.all(instances.map((instance) => stopProcess(instance.process)));
  }
}
