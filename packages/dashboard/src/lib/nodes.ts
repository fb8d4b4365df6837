/** The member list the views show: `/nodes` merged with the ring. */
import type { NodeInfo, NodeStats, NodeStatus } from '@ringkv/protocol';
import type { RingModel } from './ring-model.js';

export interface NodeRow {
  id: string;
  status: NodeStatus;
  keys: number | null;
  bytes: number | null;
  rebalance: NodeInfo['rebalance'];
}

/**
 * Members from `/nodes`, plus ring members `/nodes` has not listed yet (shown as alive until it does).
 * Bytes and rebalance progress fall back to the node's latest stats sample when `/nodes` leaves them out.
 */
export function nodeRows(
  nodes: readonly NodeInfo[] | null,
  model: RingModel | null,
  latestStats: ReadonlyMap<string, NodeStats> = new Map(),
): NodeRow[] {
  const rows = new Map<string, NodeRow>();
  for (const node of nodes ?? []) {
    const stats = latestStats.get(node.id);
    rows.set(node.id, {
      id: node.id,
      status: node.status,
      keys: node.keys,
      bytes: node.bytes ?? stats?.bytes ?? null,
      rebalance: node.rebalance ?? stats?.rebalance,
    });
  }
  for (const id of model?.nodes ?? []) {
    if (!rows.has(id)) rows.set(id, { id, status: 'alive', keys: null, bytes: null, rebalance: undefined });
  }
  return [...rows.values()].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

/** Status by node id, for styling the ring. */
export function statusByNode(rows: readonly NodeRow[]): Map<string, NodeStatus> {
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** Data moving anywhere in the cluster, summed over the nodes that report it. */
export interface RebalanceTotals {
  nodesMoving: number;
  rangesPending: number;
  keysMoved: number;
  bytesMoved: number;
  keysPerSecond: number;
  bytesPerSecond: number;
}

export function rebalanceTotals(rows: readonly NodeRow[]): RebalanceTotals | null {
  const moving = rows.filter((row) => row.rebalance && row.rebalance.rangesPending > 0);
  if (moving.length === 0) return null;
  const totals: RebalanceTotals = {
    nodesMoving: moving.length,
    rangesPending: 0,
    keysMoved: 0,
    bytesMoved: 0,
    keysPerSecond: 0,
    bytesPerSecond: 0,
  };
  for (const row of moving) {
    const rebalance = row.rebalance!;
    totals.rangesPending += rebalance.rangesPending;
    totals.keysMoved += rebalance.keysMoved;
    totals.bytesMoved += rebalance.bytesMoved;
    totals.keysPerSecond += rebalance.keysPerSecond;
    totals.bytesPerSecond += rebalance.bytesPerSecond;
  }
  return totals;
}
