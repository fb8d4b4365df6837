/**
 * The `stats` topic as time series. Each pushed event is one sample of every node it names; the history
 * keeps the last `samplesMax` samples (a bounded window: the page can stay open for days).
 */
import type { NodeStats } from '@ringkv/protocol';

/** `read_replica`: a replica answering a client-side quorum read with its own copy (two per such read). */
export const trafficOps = ['create', 'read', 'update', 'delete', 'read_replica'] as const;
export type TrafficOp = (typeof trafficOps)[number];

export interface StatsSample {
  /** Unix milliseconds: the newest `at` among the nodes in the event. */
  at: number;
  nodes: readonly NodeStats[];
}

export function appendSample(
  history: readonly StatsSample[],
  nodes: readonly NodeStats[],
  samplesMax: number,
): StatsSample[] {
  if (nodes.length === 0) return [...history];
  const at = nodes.reduce((newest, node) => Math.max(newest, node.at), 0);
  const last = history.at(-1);
  // A repeated or older sample (a reconnect replays the latest) would draw the line backwards.
  if (last && at <= last.at) return [...history];
  const next = [...history, { at, nodes }];
  return next.length > samplesMax ? next.slice(next.length - samplesMax) : next;
}

/** One point per sample: cluster-wide ops/s of each operation (the sum over nodes). */
export type OpsPoint = { at: number } & Record<TrafficOp, number>;

export function opsSeries(history: readonly StatsSample[]): OpsPoint[] {
  return history.map((sample) => {
    const point: OpsPoint = { at: sample.at, create: 0, read: 0, update: 0, delete: 0, read_replica: 0 };
    for (const node of sample.nodes) {
      for (const op of trafficOps) point[op] += node.ops[op]?.opsPerSecond ?? 0;
    }
    return point;
  });
}

export type Percentile = 'p50Ms' | 'p99Ms';

/** One point per sample: the `percentile` latency of `op` on each node, keyed by node id. */
export type LatencyPoint = { at: number } & Record<string, number | null>;

export function latencySeries(
  history: readonly StatsSample[],
  op: TrafficOp,
  percentile: Percentile,
): LatencyPoint[] {
  return history.map((sample) => {
    const point: LatencyPoint = { at: sample.at };
    for (const node of sample.nodes) {
      const stats = node.ops[op];
      // No traffic of this op in the interval: a gap in the line, not a misleading zero.
      point[node.node] = stats && stats.opsPerSecond > 0 ? stats[percentile] : null;
    }
    return point;
  });
}

/** Node ids seen anywhere in the history, sorted. */
export function seriesNodes(history: readonly StatsSample[]): string[] {
  const nodes = new Set<string>();
  for (const sample of history) for (const node of sample.nodes) nodes.add(node.node);
  return [...nodes].sort();
}

/** The operation with the most traffic in the latest sample; `read` on an idle cluster. */
export function busiestOp(history: readonly StatsSample[]): TrafficOp {
  const latest = opsSeries(history.slice(-1))[0];
  if (!latest) return 'read';
  return trafficOps.reduce((best, op) => (latest[op] > latest[best] ? op : best), 'read' as TrafficOp);
}

/** The newest stats of each node across the history: for key counts when `/nodes` lags. */
export function latestByNode(history: readonly StatsSample[]): Map<string, NodeStats> {
  const latest = new Map<string, NodeStats>();
  for (const sample of history) for (const node of sample.nodes) latest.set(node.node, node);
  return latest;
}

/** The `count` nodes with the highest latency in the newest point that has any, slowest first. */
export function slowestNodes(points: readonly LatencyPoint[], count: number): string[] {
  const latest = [...points].reverse().find((point) => Object.keys(point).length > 1);
  if (!latest) return [];
  return Object.entries(latest)
    .filter(([node, value]) => node !== 'at' && typeof value === 'number')
    .sort(([, left], [, right]) => (right as number) - (left as number))
    .slice(0, count)
    .map(([node]) => node);
}
