/**
 * Profiles one ringkv node under the cluster benchmark's load: `node --cpu-prof` on the node, one node
 * per load shape, then the top self-time functions and the time per package, printed as markdown.
 * With --nodes 3 every node is profiled and the first node's profile is summarised.
 * Usage: npx tsx bench/cluster/profile.ts [--seconds 8] [--shapes depth16,batch100,app50] [--nodes 1]
 *        [--replication-factor 1] [--quorum 1] [--keep DIR]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAppLoad } from '../lib/app-load.js';
import { type CpuProfile, selfTimeBySource, type TimeWindow, topSelfTime } from '../lib/cpu-profile.js';
import { jsonValueText, valueBytes } from '../lib/keys.js';
import { stopAll } from '../lib/processes.js';
import { startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { markdownTable } from '../lib/table.js';
import { type LoadResult, type LoadShape, runWsLoad } from '../lib/ws-load.js';
import { preloadWs } from '../lib/ws-preload.js';
import { createRingClientAdapter } from './ringkv-adapter.js';

const shapes: Record<string, LoadShape | { kind: 'app'; workers: number }> = {
  depth1: { kind: 'depth', depth: 1 },
  depth16: { kind: 'depth', depth: 16 },
  batch100: { kind: 'batch', size: 100 },
  app50: { kind: 'app', workers: 50 },
  app1000: { kind: 'app', workers: 1000 },
};

interface Topology {
  nodes: number;
  replicationFactor: number;
  quorum: number;
}

async function drive(urls: string[], shapeName: string, seconds: number): Promise<LoadResult> {
  const shape = shapes[shapeName];
  if (!shape) throw new Error(`unknown shape ${shapeName}; known: ${Object.keys(shapes).join(', ')}`);
  const common = { durationMs: seconds * 1000, warmupMs: 500, keyspace: 100_000, readFraction: 0.9, seed: 5 };
  if (shape.kind === 'app') {
    const adapter = await createRingClientAdapter(urls);
    try {
      return await runAppLoad(adapter, {
        ...common,
        workers: shape.workers,
        value: 'v'.repeat(valueBytes - 2),
      });
    } finally {
      await adapter.close();
    }
  }
  return runWsLoad({ ...common, urls, connections: 50, shape, valueJson: jsonValueText });
}

async function profileShape(shapeName: string, seconds: number, topology: Topology, directory: string) {
  const profileDirectory = path.join(directory, shapeName);
  mkdirSync(profileDirectory, { recursive: true });
  const nodes = await startRingkvCluster(topology.nodes, {
    logDirectory: directory,
    replicationFactor: topology.replicationFactor,
    readQuorum: topology.quorum,
    writeQuorum: topology.quorum,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`],
  });
  const urls = webSocketUrls(nodes);
  const firstPid = nodes[0]!.process.pid;
  let result: LoadResult;
  const window = { startMicros: 0, endMicros: 0 };
  try {
    const preload = { urls, count: 100_000, valueJson: jsonValueText, batchSize: 500, connections: 8 };
    await preloadWs({ ...preload, timeoutMs: 120_000 });
    window.startMicros = monotonicMicros();
    result = await drive(urls, shapeName, seconds);
    window.endMicros = monotonicMicros();
  } finally {
    // SIGTERM: the node drains and exits normally, which is when V8 writes the profile.
    await stopRingkv(nodes);
  }
  // V8 names the file CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
  const file = readdirSync(profileDirectory).find(
    (name) => name.includes(`.${firstPid}.`) && name.endsWith('.cpuprofile'),
  );
  if (!file) throw new Error(`no .cpuprofile in ${profileDirectory} (did the node exit cleanly?)`);
  const label = `${shapeName}, ${topology.nodes} node(s), rf ${topology.replicationFactor}, first node`;
  return report(label, result, path.join(profileDirectory, file), window);
}

/** V8 profiles and process.hrtime both read CLOCK_MONOTONIC on Linux, so a window taken here applies there. */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function report(shapeName: string, result: LoadResult, file: string, window: TimeWindow): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const inside = window.startMicros >= profile.startTime && window.endMicros <= profile.endTime;
  const used = inside ? window : undefined;
  const top = topSelfTime(profile, 25, used);
  const sources = selfTimeBySource(profile, used).slice(0, 12);
  const scope = inside
    ? `the ${((window.endMicros - window.startMicros) / 1e6).toFixed(1)} s under load only`
    : 'the whole process life (the load window did not fall inside the profile clock; preload and start-up included)';
  return [
    `### ${shapeName}: ${Math.round(result.opsPerSecond).toLocaleString('en-US')} ops/s, p99 ${result.latency.p99Ms.toFixed(2)} ms`,
    '',
    `Profile: \`${file}\`, self time over ${scope}.`,
    '',
    markdownTable(top, [
      { header: 'self ms', cell: (row) => row.selfMs },
      { header: 'self %', cell: (row) => row.percent },
      { header: 'function', cell: (row) => `\`${row.name}\``, alignRight: false },
      { header: 'where', cell: (row) => row.where, alignRight: false },
    ]),
    '',
    markdownTable(sources, [
      { header: 'source', cell: (row) => row.source, alignRight: false },
      { header: 'self ms', cell: (row) => row.selfMs },
      { header: 'self %', cell: (row) => row.percent },
    ]),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seconds: { type: 'string', default: '8' },
      shapes: { type: 'string', default: 'depth16,batch100,app50' },
      keep: { type: 'string' },
      nodes: { type: 'string', default: '1' },
      'replication-factor': { type: 'string', default: '1' },
      quorum: { type: 'string', default: '1' },
    },
  });
  const topology: Topology = {
    nodes: Number(values.nodes),
    replicationFactor: Number(values['replication-factor']),
    quorum: Number(values.quorum),
  };
  const seconds = Number(values.seconds);
  if (!(seconds >= 1 && seconds <= 60)) throw new Error('--seconds must be from 1 to 60');
  const directory = values.keep ?? mkdtempSync(path.join(os.tmpdir(), 'ringkv-profile-'));
  try {
    for (const shapeName of values.shapes.split(','))
      console.log(await profileShape(shapeName, seconds, topology, directory));
  } finally {
    await stopAll();
  }
  console.log(`profiles kept in ${directory}`);
}

await main();
