/**
 * `pnpm bench:rebalance [--keys N] [--rate OPS] [--window-seconds S] [--via add_node|join] [--no-write]
 * [--json]`: adds a 4th node to a 3-node cluster (real processes, LMDB) holding N keys (default
 * 1,000,000) of 100 bytes, and reports streaming throughput (MB/s and keys/s), keys moved against the
 * ideal, and the p50/p99 latency of a steady client load before, during and after the move. Prints
 * tables and replaces the `## Rebalance` section of BENCHMARKS.md. Never pass/fail on speed; every wait
 * is bounded, and every process it starts is stopped, also on failure and Ctrl-C (lib/processes.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { stopAll } from '../lib/processes.js';
import type { RingkvNode } from '../lib/ringkv.js';
import { markdownTable, terminalTable } from '../lib/table.js';
import { type RebalanceBenchConfig, type RebalanceBenchResult, runRebalanceBench } from './measure.js';
import { idealColumns, latencyColumns, streamColumns } from './report.js';

function parseConfig(argv: string[]): RebalanceBenchConfig & { writeMarkdown: boolean; json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      keys: { type: 'string', default: '1000000' },
      rate: { type: 'string', default: '500' },
      'window-seconds': { type: 'string', default: '10' },
      'no-write': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      via: { type: 'string', default: 'add_node' },
    },
  });
  const number = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    }
    return value;
  };
  if (values.via !== 'add_node' && values.via !== 'join') {
    throw new Error(`--via must be add_node or join, got ${values.via}`);
  }
  return {
    via: values.via,
    keys: number('keys', values.keys, 1_000, 5_000_000),
    opsPerSecond: number('rate', values.rate, 10, 20_000),
    readFraction: 0.8,
    windowMs: number('window-seconds', values['window-seconds'], 1, 120) * 1000,
    // Loading is the slow part (about 3,000 creates/s at rf 3 on 2 busy cores): 1M keys take minutes.
    loadTimeoutMs: 1_200_000,
    moveTimeoutMs: 900_000,
    writeMarkdown: !values['no-write'],
    json: values.json,
  };
}

function uptimeLine(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch (error) {
    return `uptime failed: ${String(error)}`;
  }
}

function notes(config: RebalanceBenchConfig, result: RebalanceBenchResult, uptime: string[]): string[] {
  const loadSeconds = result.load.elapsedMs / 1000;
  return [
    '',
    `\`uptime\` at the start: \`${uptime[0]}\`; at the end: \`${uptime[1]}\`.`,
    '',
    `Three \`ringkv node\` processes (LMDB data directories, defaults: 128 vnodes, replication factor 3, quorum 2) ` +
      `were loaded through RingClient with ${config.keys.toLocaleString('en-US')} keys (16 bytes, \`key:\` + 12 digits) ` +
      `of 100-byte values in ${loadSeconds.toFixed(0)} s. A steady open-loop client load (RingClient, ` +
      `${config.opsPerSecond} ops/s, ${config.readFraction * 100}% reads / ${100 - config.readFraction * 100}% updates of ` +
      'random loaded keys, latency from the intended send time) ran throughout: a window before the move, a window from ' +
      (config.via === 'add_node'
        ? '`add_node` of a 4th (empty, already running) node '
        : 'starting a 4th (empty) node with `--join` (its process start-up included) ') +
      'until every node agreed on the 4-node ring and reported no range left to move ' +
      '(`rangesPending` 0 in /nodes on two polls in a row), and a window after. Keys and bytes moved are the ' +
      "differences of each node's own rebalance status (/nodes) over the move; a node's keys/s and MB/s are its own " +
      'rates over the time it was streaming, the total row is all nodes over the wall-clock time. Ideal: with ' +
      'replication factor 3 the new node should end up holding 3/4 of the keys (one copy of each key it replicates ' +
      'streamed to it) and be the primary of 1/4. The load generator and all four nodes share the machine.',
  ];
}

function tables(result: RebalanceBenchResult, render: typeof markdownTable): string {
  return [
    render(result.latency, latencyColumns),
    render(result.streams, streamColumns),
    render(result.ideal, idealColumns),
  ].join('\n\n');
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const machine = machineInfo();
  const uptime = [uptimeLine()];
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-bench-rebalance-'));
  const nodes: RingkvNode[] = [];
  console.log(`bench:rebalance: ${config.keys} keys; logs and data in ${directory}; ${uptime[0]}`);
  let result: RebalanceBenchResult | undefined;
  try {
    result = await runRebalanceBench(config, directory, nodes);
  } catch (error) {
    console.error(`bench:rebalance: failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await stopAll();
  }
  if (result === undefined) {
    console.error(`bench:rebalance: logs kept in ${directory}`);
    process.exit(1);
  }
  uptime.push(uptimeLine());
  console.log(`\n${tables(result, terminalTable)}\n`);
  if (config.json) console.log(`bench:rebalance:json ${JSON.stringify(result)}`);
  if (config.writeMarkdown) {
    const command = `pnpm bench:rebalance ${process.argv.slice(2).join(' ')}`.trim();
    writeBenchmarksSection(
      '## Rebalance',
      `${describeRun(command, machine, notes(config, result, uptime))}\n\n${tables(result, markdownTable)}`,
    );
    console.log('bench:rebalance: wrote the ## Rebalance section of BENCHMARKS.md');
  }
  rmSync(directory, { recursive: true, force: true });
}

await main();
