import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { densityAlongRing, distribution } from './distribution.js';
import { rangePreferenceLists, ringNodes, ringRanges, sortTokens, tokenSpace } from './ring.js';

describe('distribution', () => {
  it('compares each node with the even share and reports max over mean', () => {
    const result = distribution([
      { node: 'a', keys: 30, bytes: 300 },
      { node: 'b', keys: 10, bytes: 100 },
      { node: 'c', keys: 20 },
    ]);
    expect(result.totalKeys).toBe(60);
    expect(result.totalBytes).toBe(400);
    expect(result.rows.map((row) => row.idealKeys)).toEqual([20, 20, 20]);
    expect(result.rows[2]!.bytes).toBe(0);
    expect(result.imbalance).toBeCloseTo(1.5, 9);
  });

  it('has no imbalance figure while there are no keys or no nodes', () => {
    expect(distribution([{ node: 'a', keys: 0 }]).imbalance).toBeNull();
    expect(distribution([]).imbalance).toBeNull();
  });

  it('reads 1 on a perfectly even cluster', () => {
    expect(
      distribution([
        { node: 'a', keys: 7 },
        { node: 'b', keys: 7 },
      ]).imbalance,
    ).toBe(1);
  });
});

describe('densityAlongRing', () => {
  const quarter = tokenSpace / 4;
  const sorted = sortTokens([
    { token: quarter, node: 'a' },
    { token: 2 * quarter, node: 'b' },
    { token: 3 * quarter, node: 'a' },
    { token: 0, node: 'b' },
  ]);

  it('puts a node s keys over the ranges it replicates', () => {
    // RF 1: a owns (0, 1/4] and (1/2, 3/4]; b owns the others. a has 100 keys, b none.
    const bins = densityAlongRing(
      ringRanges(sorted),
      rangePreferenceLists(sorted, 1),
      new Map([['a', 100]]),
      4,
    );
    expect(bins.map((bin) => bin.startTurn)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(bins.map((bin) => Math.round(bin.keys))).toEqual([50, 0, 50, 0]);
  });

  it('estimates distinct keys: the bins sum to the stored copies over the replication factor', () => {
    const arbitrary = fc.record({
      tokens: fc.uniqueArray(
        fc.record({
          token: fc.integer({ min: 0, max: tokenSpace - 1 }),
          node: fc.constantFrom('a', 'b', 'c', 'd'),
        }),
        { minLength: 4, maxLength: 40, selector: (vnode) => vnode.token },
      ),
      counts: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 4, maxLength: 4 }),
      bins: fc.integer({ min: 1, max: 100 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ tokens, counts, bins }) => {
        const ring = sortTokens(tokens);
        const nodes = ringNodes(ring);
        const factor = Math.min(2, nodes.length);
        const keys = new Map(nodes.map((node, index) => [node, counts[index]!]));
        const copies = [...keys.values()].reduce((sum, count) => sum + count, 0);
        const density = densityAlongRing(ringRanges(ring), rangePreferenceLists(ring, factor), keys, bins);
        expect(density).toHaveLength(bins);
        const total = density.reduce((sum, bin) => sum + bin.keys, 0);
        expect(total).toBeCloseTo(copies / factor, 4);
      }),
    );
  });
});
