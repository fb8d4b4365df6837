/** The balance benchmark's figures on a few joins (quick): the joiner's share comes from core/ranges.ts. */
import { describe, expect, it } from 'vitest';
import { primaryShares } from '../../packages/node/src/core/ranges.js';
import { joinSequence } from './balance.js';
import { allocatedRing, nodeIdAt } from './placements.js';

describe('bench/ring balance', () => {
  it('reports each joiner share over the ideal as core primaryShares says', () => {
    const { rows } = joinSequence(4);
    expect(rows.map((row) => row.nodes)).toEqual([1, 2, 3, 4]);
    // Alone, the first node holds the whole ring.
    expect(rows[0]!.allocatorJoinerShareOverIdeal).toBe(1);
    const ids = Array.from({ length: 4 }, (_, index) => nodeIdAt(index));
    const ring = allocatedRing(ids);
    const joinerShare = primaryShares(ring)[ring.nodes().indexOf(nodeIdAt(3))]!;
    expect(rows[3]!.allocatorJoinerShareOverIdeal).toBeCloseTo(joinerShare * 4, 12);
    for (const row of rows) expect(row.allocatorJoinerShareOverIdeal).toBeGreaterThan(0.9);
  });
});
