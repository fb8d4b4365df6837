/**
 * The tables of `bench:rebalance`: client latency per phase, streaming per node and in all, and how
 * much moved against the ideal. The terminal and BENCHMARKS.md print the same cells.
 */
import type { Column } from '../lib/table.js';
import type { WindowResult } from './open-loop.js';

export interface LatencyRow {
  phase: string;
  window: WindowResult;
  /** CPU of all node processes, and of the benchmark process, in % of one core during the window. */
  serverCpuPercent?: number;
  generatorCpuPercent?: number;
}

export interface StreamRow {
  node: string;
  role: string;
  keysMoved: number;
  bytesMoved: number;
  /** Wall-clock seconds of the move (total row), or undefined for a node's row. */
  wallSeconds?: number;
  /** The node's own rates over the time it was streaming (RebalanceStatus), for node rows. */
  keysPerSecond?: number;
  bytesPerSecond?: number;
}

export interface IdealRow {
  measure: string;
  value: number;
  ideal: number;
  unit: string;
}

const megabytes = (bytes: number) => bytes / 1e6;

export const latencyColumns: Column<LatencyRow>[] = [
  { header: 'phase', cell: (row) => row.phase, alignRight: false },
  { header: 'window s', cell: (row) => row.window.durationMs / 1000 },
  { header: 'offered ops/s', cell: (row) => row.window.offeredPerSecond },
  { header: 'done ops/s', cell: (row) => row.window.completedPerSecond },
  { header: 'p50 ms', cell: (row) => row.window.latency.p50Ms },
  { header: 'p99 ms', cell: (row) => row.window.latency.p99Ms },
  { header: 'p99.9 ms', cell: (row) => row.window.latency.p999Ms },
  { header: 'max ms', cell: (row) => row.window.latency.maxMs },
  { header: 'errors', cell: (row) => row.window.errors },
  { header: 'skipped', cell: (row) => row.window.skipped },
  { header: 'nodes CPU %', cell: (row) => row.serverCpuPercent },
  { header: 'bench CPU %', cell: (row) => row.generatorCpuPercent },
];

const rate = (amount: number, row: StreamRow, own: number | undefined) =>
  row.wallSeconds !== undefined ? amount / Math.max(row.wallSeconds, 0.001) : own;

export const streamColumns: Column<StreamRow>[] = [
  { header: 'node', cell: (row) => row.node, alignRight: false },
  { header: 'role', cell: (row) => row.role, alignRight: false },
  { header: 'keys moved', cell: (row) => row.keysMoved },
  { header: 'MB moved', cell: (row) => megabytes(row.bytesMoved) },
  { header: 'wall s', cell: (row) => row.wallSeconds },
  { header: 'keys/s', cell: (row) => rate(row.keysMoved, row, row.keysPerSecond) },
  {
    header: 'MB/s',
    cell: (row) => {
      const bytesPerSecond = rate(row.bytesMoved, row, row.bytesPerSecond);
      return bytesPerSecond === undefined ? undefined : megabytes(bytesPerSecond);
    },
  },
];

export const idealColumns: Column<IdealRow>[] = [
  { header: 'measure', cell: (row) => row.measure, alignRight: false },
  { header: 'value', cell: (row) => row.value },
  { header: 'ideal', cell: (row) => row.ideal },
  {
    header: 'value / ideal',
    cell: (row) => (row.ideal > 0 ? `${(row.value / row.ideal).toFixed(3)}x` : '-'),
  },
  { header: 'unit', cell: (row) => row.unit, alignRight: false },
];
