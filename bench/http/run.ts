/**
 * `pnpm bench:http`: the HTTP API (SPEC section 2) under autocannon, 50 connections, 90% GET /read and
 * 10% PUT /update of 100-byte values over preloaded keys, at pipelining 1 and 16, for a bare `node:http`
 * ceiling, 1 ringkv node, 3 nodes rf 1 and 3 nodes rf 3 with quorums. Prints a table and replaces the
 * `## HTTP` section of BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { withCpuShares } from '../lib/cpu.js';
import { jsonValueText } from '../lib/keys.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { allocatePort } from '../lib/ports.js';
import { startProcess, stopAll, stopProcess, waitUntil } from '../lib/processes.js';
import { repositoryRoot, startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { type Column, markdownTable, ratio, terminalTable } from '../lib/table.js';
import type { LoadResult } from '../lib/ws-load.js';
import { preloadWs } from '../lib/ws-preload.js';
import { runHttpLoad } from './load.js';

interface Row {
  target: string;
  pipelining: number;
  result?: LoadResult;
  serverCpuPercent?: number;
  generatorCpuPercent?: number;
  note?: string;
}

const ceilingTarget = 'node:http (ceiling)';
const ringkvTargets = [
  { id: 'ringkv-1', name: 'ringkv 1 node rf1', nodes: 1, replicationFactor: 1, quorum: 1 },
  { id: 'ringkv-3-rf1', name: 'ringkv 3 nodes rf1', nodes: 3, replicationFactor: 1, quorum: 1 },
  { id: 'ringkv-3-rf3', name: 'ringkv 3 nodes rf3 q2', nodes: 3, replicationFactor: 3, quorum: 2 },
];

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cell-seconds': { type: 'string', default: '5' },
      keys: { type: 'string', default: '100000' },
      connections: { type: 'string', default: '50' },
      targets: {
        type: 'string',
        default: ['ceiling', ...ringkvTargets.map((target) => target.id)].join(','),
      },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const cellSeconds = Number(values['cell-seconds']);
  const keys = Number(values.keys);
  const connections = Number(values.connections);
  if (!(cellSeconds >= 1 && cellSeconds <= 60)) throw new Error('--cell-seconds must be from 1 to 60');
  if (!(keys >= 1_000 && keys <= 10_000_000)) throw new Error('--keys must be from 1000 to 10000000');
  if (!(connections >= 1 && connections <= 1_000)) throw new Error('--connections must be from 1 to 1000');
  return {
    cellSeconds,
    keys,
    connections,
    targets: values.targets.split(','),
    writeMarkdown: !values['no-write'],
  };
}
type Config = ReturnType<typeof parse>;

async function measure(
  target: string,
  urls: string[],
  pids: number[],
  config: Config,
  rows: Row[],
): Promise<void> {
  const base = { urls, connections: config.connections, keyspace: config.keys };
  await runHttpLoad({ ...base, pipelining: 1, durationSeconds: 1 }); // warm-up, discarded
  for (const pipelining of [1, 16]) {
    const [result, cpu] = await withCpuShares(pids, () =>
      runHttpLoad({ ...base, pipelining, durationSeconds: config.cellSeconds }),
    );
    console.log(
      `${target} pipelining ${pipelining}: ${Math.round(result.opsPerSecond)} req/s, p99 ${result.latency.p99Ms} ms, ${result.errors} errors`,
    );
    rows.push({
      target,
      pipelining,
      result,
      serverCpuPercent: cpu.serverPercent,
      generatorCpuPercent: cpu.generatorPercent,
    });
  }
}

async function benchCeiling(config: Config, directory: string, rows: Row[]): Promise<void> {
  const port = await allocatePort();
  const args = ['--import', 'tsx', 'bench/http/ceiling-server.ts', String(port), String(config.keys)];
  const server = startProcess('http-ceiling', process.execPath, args, {
    cwd: repositoryRoot,
    logFile: path.join(directory, 'ceiling.log'),
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('http ceiling', async () => (await fetch(`${url}/health`)).ok, 20_000, 200);
    await measure(ceilingTarget, [url], [server.pid], config, rows);
  } finally {
    await stopProcess(server);
  }
}

async function benchRingkv(
  spec: (typeof ringkvTargets)[number],
  config: Config,
  directory: string,
  rows: Row[],
) {
  const nodes = await startRingkvCluster(spec.nodes, {
    logDirectory: path.join(directory, spec.id),
    replicationFactor: spec.replicationFactor,
    readQuorum: spec.quorum,
    writeQuorum: spec.quorum,
  });
  try {
    const common = { valueJson: jsonValueText, batchSize: 500, connections: 8, timeoutMs: 120_000 };
    const loaded = await preloadWs({ ...common, urls: webSocketUrls(nodes), count: config.keys });
    if (loaded.failures > 0)
      throw new Error(`preload: ${loaded.failures} failures, e.g. ${loaded.failureSample}`);
    await measure(
      spec.name,
      nodes.map((node) => `http://${node.address}`),
      nodes.map((node) => node.process.pid),
      config,
      rows,
    );
  } finally {
    await stopRingkv(nodes);
  }
}

function columns(rows: readonly Row[]): Column<Row>[] {
  const ceiling = (row: Row) =>
    rows.find((other) => other.target === ceilingTarget && other.pipelining === row.pipelining)?.result
      ?.opsPerSecond;
  return [
    { header: 'target', cell: (row) => row.target, alignRight: false },
    { header: 'pipelining', cell: (row) => row.pipelining },
    { header: 'req/s', cell: (row) => row.result?.opsPerSecond },
    { header: 'p50 ms', cell: (row) => row.result?.latency.p50Ms },
    { header: 'p99 ms', cell: (row) => row.result?.latency.p99Ms },
    { header: 'p99.9 ms', cell: (row) => row.result?.latency.p999Ms },
    {
      header: 'vs node:http',
      cell: (row) =>
        row.target === ceilingTarget ? undefined : ratio(row.result?.opsPerSecond, ceiling(row)),
    },
    { header: 'errors', cell: (row) => row.result?.errors },
    { header: 'server CPU %', cell: (row) => row.serverCpuPercent },
    {
      // On a shared machine a cell's rate follows the CPU its server got; this is the rate per core it got.
      header: 'req per server CPU-s',
      cell: (row) =>
        row.result && row.serverCpuPercent
          ? row.result.opsPerSecond / (row.serverCpuPercent / 100)
          : undefined,
    },
    { header: 'autocannon CPU %', cell: (row) => row.generatorCpuPercent },
    { header: 'note', cell: (row) => row.note ?? '', alignRight: false },
  ];
}

async function main(): Promise<void> {
  const config = parse(process.argv.slice(2));
  const machine = machineInfo();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-bench-http-'));
  const rows: Row[] = [];
  try {
    for (const id of config.targets) {
      const spec = ringkvTargets.find((target) => target.id === id);
      try {
        if (id === 'ceiling') await benchCeiling(config, directory, rows);
        else if (spec) await benchRingkv(spec, config, directory, rows);
        else throw new Error(`unknown target ${id}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        console.error(`bench:http: ${id} failed: ${reason}`);
        rows.push({ target: spec?.name ?? id, pipelining: 0, note: `not measured: ${reason.slice(0, 160)}` });
      }
    }
  } finally {
    await stopAll();
  }
  console.log(`\n${terminalTable(rows, columns(rows))}\n`);
  const notes = [
    '',
    `Load: autocannon (in the benchmark process), ${config.connections} connections, each cycling 9 \`GET /read/{key}\` and ` +
      `1 \`PUT /update/{key}\` of a 100-byte JSON value over ${config.keys.toLocaleString('en-US')} preloaded keys; ` +
      `${config.cellSeconds} s per cell after a 1 s warm-up. Against 3 nodes the connections are spread over all ` +
      'nodes (a request may be forwarded one hop). The ceiling is bare `node:http` answering from a Map.',
  ];
  const command = `pnpm bench:http ${process.argv.slice(2).join(' ')}`.trim();
  if (config.writeMarkdown) {
    writeBenchmarksSection(
      '## HTTP',
      `${describeRun(command, machine, notes)}\n\n${markdownTable(rows, columns(rows))}`,
    );
    console.log('bench:http: wrote the ## HTTP section of BENCHMARKS.md');
  }
  if (rows.some((row) => row.result === undefined)) console.log(`bench:http: logs kept in ${directory}`);
  else rmSync(directory, { recursive: true, force: true });
}

await main();
