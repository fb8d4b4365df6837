/**
 * Token-space balance as nodes join one at a time (no keys: each node's share of the 2^32 tokens it owns
 * as primary), for random murmur3 tokens and for the allocator, and the time the allocator takes.
 */
import { rangeWidth } from '../../packages/node/src/core/ranges.js';
import { Ring, tokenSpace } from '../../packages/node/src/core/ring.js';
import { allocateTokens } from '../../packages/node/src/core/tokens.js';
import { nodeIdAt, randomTokenRing, vnodes } from './placements.js';

export interface BalanceRow {
  nodes: number;
  randomMaxOverMean: number;
  allocatorMaxOverMean: number;
  /** The joiner's share of the ring over the ideal 1/N, for the allocator. */
  allocatorJoinerShareOverIdeal: number;
}

export function maxOverMean(ring: Ring): number {
  let max = 0;
  for (const id of ring.nodes()) {
    const owned = ring.rangesOf(id, 1).reduce((sum, range) => sum + rangeWidth(range), 0);
    max = Math.max(max, owned);
  }
  return (max / tokenSpace) * ring.size;
}

function shareOf(ring: Ring, id: string): number {
  return ring.rangesOf(id, 1).reduce((sum, range) => sum + rangeWidth(range), 0) / tokenSpace;
}

/** Joins nodes 1..nodesMax one at a time and records the balance after each join. */
export function joinSequence(nodesMax: number): { rows: BalanceRow[]; allocatorMs: number } {
  const rows: BalanceRow[] = [];
  let allocated = Ring.empty();
  let allocatorMs = 0;
  for (let count = 1; count <= nodesMax; count++) {
    const id = nodeIdAt(count - 1);
    const startMs = performance.now();
    const tokens = allocateTokens(allocated, id, vnodes);
    allocatorMs += performance.now() - startMs;
    allocated = allocated.addNode(id, tokens);
    const ids = Array.from({ length: count }, (_, index) => nodeIdAt(index));
    rows.push({
      nodes: count,
      randomMaxOverMean: maxOverMean(randomTokenRing(ids)),
      allocatorMaxOverMean: maxOverMean(allocated),
      allocatorJoinerShareOverIdeal: shareOf(allocated, id) * count,
    });
  }
  return { rows, allocatorMs };
}
