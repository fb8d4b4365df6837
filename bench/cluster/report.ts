/**
 * The `bench:cluster` table: one row per cell, with the ratio to Redis Cluster at the same load (for the
 * app level: ioredis with the same number of workers) and to the ws echo ceiling at the same load.
 */
import { type Column, markdownTable, ratio } from '../lib/table.js';
import type { ResultRow } from './scenarios.js';

const echoTarget = 'ws echo (ceiling)';

function reference(rows: readonly ResultRow[], row: ResultRow, targetPrefix: string): number | undefined {
  if (row.load.includes('half peak')) return undefined;
  const match = rows.find((other) => other.target.startsWith(targetPrefix) && other.load === row.load);
  return match?.result?.opsPerSecond;
}

/** The row's note, plus what a reader must know: nothing completed, or what the errors were. */
function noteOf(row: ResultRow): string {
  const parts = row.note ? [row.note] : [];
  if (row.result && row.result.latency.count === 0) parts.push('nothing completed within the cell');
  if (row.result?.errorSample)
    parts.push(`errors e.g. ${row.result.errorSample.slice(0, 120).replaceAll('|', '/')}`);
  return parts.join('; ');
}

/** Operations per second of server CPU (all its processes); undefined when the CPU was not measured. */
export function opsPerServerCpuSecond(row: ResultRow): number | undefined {
  const ops = row.result?.opsPerSecond;
  const cpu = row.serverCpuPercent;
  return ops === undefined || cpu === undefined || cpu <= 0 ? undefined : ops / (cpu / 100);
}

export function clusterColumns(rows: readonly ResultRow[]): Column<ResultRow>[] {
  return [
    { header: 'target', cell: (row) => row.target, alignRight: false },
    { header: 'load', cell: (row) => row.load, alignRight: false },
    { header: 'ops/s', cell: (row) => row.result?.opsPerSecond },
    { header: 'p50 ms', cell: (row) => row.result?.latency.p50Ms },
    { header: 'p99 ms', cell: (row) => row.result?.latency.p99Ms },
    { header: 'p99.9 ms', cell: (row) => row.result?.latency.p999Ms },
    // Open loop only: how late the generator itself sent (p99), already inside the p99 beside it.
    { header: 'generator send lag p99 ms', cell: (row) => row.result?.generator?.sendLagP99Ms },
    {
      header: 'vs Redis Cluster',
      cell: (row) =>
        row.target.startsWith('Redis')
          ? undefined
          : ratio(row.result?.opsPerSecond, reference(rows, row, 'Redis')),
    },
    {
      header: 'vs echo',
      cell: (row) =>
        row.level === 'app' || row.target === echoTarget
          ? undefined
          : ratio(row.result?.opsPerSecond, reference(rows, row, echoTarget)),
    },
    { header: 'errors', cell: (row) => row.result?.errors },
    { header: 'server CPU %', cell: (row) => row.serverCpuPercent },
    // On a shared machine a cell's rate follows the CPU its server got; this is the rate per core it got.
    { header: 'ops per server CPU-s', cell: opsPerServerCpuSecond },
    { header: 'generator CPU %', cell: (row) => row.generatorCpuPercent },
    { header: 'note', cell: noteOf, alignRight: false },
  ];
}

export function clusterMarkdown(rows: readonly ResultRow[]): string {
  return markdownTable(rows, clusterColumns(rows));
}
