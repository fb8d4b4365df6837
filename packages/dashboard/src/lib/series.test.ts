import type { NodeStats } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import {
  appendSample,
  busiestOp,
  type LatencyPoint,
  latencySeries,
  latestByNode,
  opsSeries,
  seriesNodes,
  slowestNodes,
} from './series.js';

function stats(node: string, at: number, ops: NodeStats['ops']): NodeStats {
  return { node, at, keys: 0, bytes: 0, ops, forwarded: 0 };
}

const op = (opsPerSecond: number, p50Ms: number, p99Ms: number) => ({ opsPerSecond, p50Ms, p99Ms });

describe('appendSample', () => {
  it('keeps a bounded window of the newest samples', () => {
    let history = appendSample([], [stats('a', 1000, {})], 2);
    history = appendSample(history, [stats('a', 2000, {})], 2);
    history = appendSample(history, [stats('a', 3000, {})], 2);
    expect(history.map((sample) => sample.at)).toEqual([2000, 3000]);
  });

  it('ignores a repeated or older sample, and an empty one', () => {
    const history = appendSample([], [stats('a', 2000, {})], 10);
    expect(appendSample(history, [stats('a', 2000, {})], 10)).toHaveLength(1);
    expect(appendSample(history, [stats('a', 1500, {})], 10)).toHaveLength(1);
    expect(appendSample(history, [], 10)).toHaveLength(1);
  });

  it('dates a sample by its newest node', () => {
    const [sample] = appendSample([], [stats('a', 1000, {}), stats('b', 1200, {})], 10);
    expect(sample!.at).toBe(1200);
  });
});

const history = [
  {
    at: 1000,
    nodes: [
      stats('a', 1000, { read: op(10, 1, 5) }),
      stats('b', 1000, { read: op(5, 2, 9), create: op(1, 3, 4) }),
    ],
  },
  { at: 2000, nodes: [stats('a', 2000, { read: op(0, 0, 0), update: op(30, 1, 2) }), stats('b', 2000, {})] },
];

describe('opsSeries', () => {
  it('sums each operation over the nodes, zero when absent', () => {
    expect(opsSeries(history)).toEqual([
      { at: 1000, create: 1, read: 15, update: 0, delete: 0, read_replica: 0 },
      { at: 2000, create: 0, read: 0, update: 30, delete: 0, read_replica: 0 },
    ]);
  });
});

describe('latencySeries', () => {
  it('gives one line per node, with gaps where the node saw no traffic of that op', () => {
    expect(latencySeries(history, 'read', 'p99Ms')).toEqual([
      { at: 1000, a: 5, b: 9 },
      { at: 2000, a: null, b: null },
    ]);
    expect(latencySeries(history, 'read', 'p50Ms')[0]).toEqual({ at: 1000, a: 1, b: 2 });
  });
});

describe('summaries', () => {
  it('lists nodes, finds the busiest op, and keeps each node s latest stats', () => {
    expect(seriesNodes(history)).toEqual(['a', 'b']);
    expect(busiestOp(history)).toBe('update');
    expect(busiestOp([])).toBe('read');
    expect(latestByNode(history).get('a')!.at).toBe(2000);
  });
});

describe('slowestNodes', () => {
  it('picks the highest latencies of the newest point that has any', () => {
    const points: LatencyPoint[] = [{ at: 1, a: 9, b: 1, c: 5 }, { at: 2, a: 1, b: 7, c: null }, { at: 3 }];
    expect(slowestNodes(points, 2)).toEqual(['b', 'a']);
    expect(slowestNodes([], 2)).toEqual([]);
  });
});
