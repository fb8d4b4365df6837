import type { NodeInfo, NodeStats } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { nodeRows, rebalanceTotals, statusByNode } from './nodes.js';
import { ringModel } from './ring-model.js';

const model = ringModel({
  epoch: 3,
  vnodes: 1,
  replicationFactor: 2,
  tokens: [
    { token: 10, node: 'b:1' },
    { token: 20, node: 'c:1' },
  ],
});

const moving = { rangesPending: 2, keysMoved: 10, bytesMoved: 100, keysPerSecond: 5, bytesPerSecond: 50 };

describe('nodeRows', () => {
  it('merges /nodes with ring members it has not listed, sorted by id', () => {
    const nodes: NodeInfo[] = [
      { id: 'c:1', status: 'suspect', keys: 4 },
      { id: 'a:1', status: 'joining', keys: 0, bytes: 0 },
    ];
    const rows = nodeRows(nodes, model);
    expect(rows.map((row) => [row.id, row.status, row.keys])).toEqual([
      ['a:1', 'joining', 0],
      ['b:1', 'alive', null],
      ['c:1', 'suspect', 4],
    ]);
    expect(statusByNode(rows).get('c:1')).toBe('suspect');
  });

  it('takes bytes and rebalance from the latest stats when /nodes leaves them out', () => {
    const stats: NodeStats = {
      node: 'c:1',
      at: 1,
      keys: 4,
      bytes: 900,
      ops: {},
      forwarded: 0,
      rebalance: moving,
    };
    const [row] = nodeRows([{ id: 'c:1', status: 'alive', keys: 4 }], null, new Map([['c:1', stats]]));
    expect(row!.bytes).toBe(900);
    expect(row!.rebalance).toEqual(moving);
  });
});

describe('rebalanceTotals', () => {
  it('is null while nothing moves and sums the nodes that move', () => {
    const idle = { ...moving, rangesPending: 0 };
    const row = (id: string, rebalance: NodeInfo['rebalance']) => ({
      id,
      status: 'alive' as const,
      keys: 0,
      bytes: 0,
      rebalance,
    });
    expect(rebalanceTotals([row('a', undefined), row('b', idle)])).toBeNull();
    expect(rebalanceTotals([row('a', moving), row('b', moving), row('c', idle)])).toEqual({
      nodesMoving: 2,
      rangesPending: 4,
      keysMoved: 20,
      bytesMoved: 200,
      keysPerSecond: 10,
      bytesPerSecond: 100,
    });
  });
});
