/**
 * The table and summary lines of `bench:app-ratio` (app-ratio.ts): one row per interleaved pair, then per
 * worker count the pairs' ratios, their median and range. Pure, so it is unit-tested.
 */
import type { Column } from '../lib/table.js';

export interface PairRow {
  round: number;
  workers: number;
  /** Which side ran first in this pair. */
  first: 'ringkv' | 'ioredis';
  ringkvOpsPerSecond: number;
  ioredisOpsPerSecond: number;
  ringkvServerCpuPercent: number;
  ioredisServerCpuPercent: number;
  /** The bench process (where the client library runs) during each side's cell. */
  ringkvClientCpuPercent: number;
  ioredisClientCpuPercent: number;
}

export function pairRatio(row: PairRow): number {
  return row.ringkvOpsPerSecond / row.ioredisOpsPerSecond;
}

export const pairColumns: Column<PairRow>[] = [
  { header: 'round', cell: (row) => row.round },
  { header: 'workers', cell: (row) => row.workers },
  { header: 'first', cell: (row) => row.first, alignRight: false },
  { header: 'RingClient ops/s', cell: (row) => Math.round(row.ringkvOpsPerSecond) },
  { header: 'ioredis ops/s', cell: (row) => Math.round(row.ioredisOpsPerSecond) },
  { header: 'ratio', cell: (row) => `${pairRatio(row).toFixed(2)}x` },
  { header: 'ringkv server CPU %', cell: (row) => Math.round(row.ringkvServerCpuPercent) },
  { header: 'Redis server CPU %', cell: (row) => Math.round(row.ioredisServerCpuPercent) },
  { header: 'RingClient process CPU %', cell: (row) => Math.round(row.ringkvClientCpuPercent) },
  { header: 'ioredis process CPU %', cell: (row) => Math.round(row.ioredisClientCpuPercent) },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Per worker count, in the order first seen: "50 workers: ratio median 0.48x (0.42x-0.53x over 3 pairs)". */
export function summarizePairs(rows: readonly PairRow[]): string[] {
  const byWorkers = new Map<number, number[]>();
  for (const row of rows) {
    const ratios = byWorkers.get(row.workers) ?? [];
    ratios.push(pairRatio(row));
    byWorkers.set(row.workers, ratios);
  }
  return [...byWorkers].map(([workers, ratios]) => {
    const low = Math.min(...ratios).toFixed(2);
    const high = Math.max(...ratios).toFixed(2);
    const pairs = `${ratios.length} pair${ratios.length === 1 ? '' : 's'}`;
    return `- ${workers} workers: ratio median ${median(ratios).toFixed(2)}x (${low}x-${high}x over ${pairs})`;
  });
}
