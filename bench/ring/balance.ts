/**
 * Token-space balance as nodes join one at a time (no keys: each node's share of the 2^32 tokens, as
 * primary and as one of 3 replicas), for random murmur3 tokens and for the allocator, and the time the
 * allocator takes.
 */
import { primaryShares, rangeWidth } from '../../packages/node/src/core/ranges.js';
import { Ring } from '../../packages/node/src/core/ring.js';
import { allocateTokens } from '../../packages/node/src/core/tokens.js';
import { cpuMs } from './measure.js';
import { allocatedRing, nodeIdAt, randomTokenRing, replicationFactor, vnodes } from './placements.js';

export interface BalanceRow {
  nodes: number;
  randomMaxOverMean: number;
  allocatorMaxOverMean: number;
  /** Token space held as one of 3 replicas, most loaded node over the mean. */
  randomReplicatedMaxOverMean: number;
  allocatorReplicatedMaxOverMean: number;
  /** CPU time the allocator has used for all joins so far. */
  allocatorCpuMsSoFar: number;
  /** The joiner's share of the ring over the ideal 1/N, for the allocator. */
  allocatorJoinerShareOverIdeal: number;
}

/** The most loaded node's token space, held as one of `n` replicas, over the mean. */
export function maxOverMean(ring: Ring, n: number): number {
  let max = 0;
  let total = 0;
  for (const id of ring.nodes()) {
    const held = ring.rangesOf(id, n).reduce((sum, range) => sum + rangeWidth(range), 0);
    max = Math.max(max, held);
    total += held;
  }
  return max / (total / ring.size);
}

/** `id`'s primary share of the token space (core/ranges.ts computes it for every node). */
function shareOf(ring: Ring, id: string): number {
  const index = ring.nodes().indexOf(id);
  if (index < 0) throw new Error(`${id} is not on the ring`);
  return primaryShares(ring)[index]!;
}

/** Joins nodes 1..nodesMax one at a time and records the balance after each join. */
export function joinSequence(nodesMax: number): { rows: BalanceRow[]; allocatorCpuMs: number } {
  const rows: BalanceRow[] = [];
  let allocated = Ring.empty();
  let allocatorCpuMs = 0;
  for (let count = 1; count <= nodesMax; count++) {
    const id = nodeIdAt(count - 1);
    const startCpuMs = cpuMs();
    const tokens = allocateTokens(allocated, id, vnodes);
    allocatorCpuMs += cpuMs() - startCpuMs;
    allocated = allocated.addNode(id, tokens);
    const ids = Array.from({ length: count }, (_, index) => nodeIdAt(index));
    const random = randomTokenRing(ids);
    rows.push({
      nodes: count,
      randomMaxOverMean: maxOverMean(random, 1),
      allocatorMaxOverMean: maxOverMean(allocated, 1),
      randomReplicatedMaxOverMean: maxOverMean(random, replicationFactor),
      allocatorReplicatedMaxOverMean: maxOverMean(allocated, replicationFactor),
      allocatorCpuMsSoFar: allocatorCpuMs,
      allocatorJoinerShareOverIdeal: shareOf(allocated, id) * count,
    });
  }
  return { rows, allocatorCpuMs };
}

export interface LeaveRow {
  what: string;
  maxOverMean: number;
  replicatedMaxOverMean: number;
}

/** Balance of the 10-node rings, and of the same rings once a node has left. */
export function afterLeave(): LeaveRow[] {
  const ids = Array.from({ length: 10 }, (_, index) => nodeIdAt(index));
  const random = randomTokenRing(ids);
  const allocated = allocatedRing(ids);
  const rings: Array<[string, Ring]> = [
    ['random tokens, 10 nodes', random],
    ['random tokens, 10 nodes, the 3rd leaves', random.removeNode(nodeIdAt(2))],
    ['allocator, 10 nodes', allocated],
    ['allocator, 10 nodes, the 3rd to join leaves', allocated.removeNode(nodeIdAt(2))],
    ['allocator, 10 nodes, the 10th to join leaves', allocated.removeNode(nodeIdAt(9))],
  ];
  return rings.map(([what, ring]) => ({
    what,
    maxOverMean: maxOverMean(ring, 1),
    replicatedMaxOverMean: maxOverMean(ring, replicationFactor),
  }));
}
