import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clockwiseDistance,
  ownerIndex,
  preferenceWalk,
  primaryShares,
  type RingToken,
  rangePreferenceLists,
  replicaShares,
  ringNodes,
  ringRanges,
  sortTokens,
  tokenSpace,
  walkToNodes,
} from './ring.js';

const ring = sortTokens([
  { token: 100, node: 'a' },
  { token: 200, node: 'b' },
  { token: 300, node: 'a' },
  { token: 400, node: 'c' },
]);

const arbitraryRing = fc
  .uniqueArray(
    fc.record({
      token: fc.integer({ min: 0, max: tokenSpace - 1 }),
      node: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    }),
    { minLength: 1, maxLength: 60, selector: (vnode) => vnode.token },
  )
  .map(sortTokens);

describe('ringRanges', () => {
  it('gives each vnode the range from the previous token (exclusive) to its own, wrapping past zero', () => {
    expect(ringRanges(ring)).toEqual([
      { startToken: 400, endToken: 100, length: tokenSpace - 300, node: 'a' },
      { startToken: 100, endToken: 200, length: 100, node: 'b' },
      { startToken: 200, endToken: 300, length: 100, node: 'a' },
      { startToken: 300, endToken: 400, length: 100, node: 'c' },
    ]);
  });

  it('gives a lone vnode the whole ring', () => {
    expect(ringRanges([{ token: 7, node: 'a' }])).toEqual([
      { startToken: 7, endToken: 7, length: tokenSpace, node: 'a' },
    ]);
  });

  it('covers the ring exactly once: lengths sum to 2^32 and primary shares to 1', () => {
    fc.assert(
      fc.property(arbitraryRing, (sorted) => {
        const ranges = ringRanges(sorted);
        expect(ranges.reduce((sum, range) => sum + range.length, 0)).toBe(tokenSpace);
        const total = [...primaryShares(ranges).values()].reduce((sum, share) => sum + share, 0);
        expect(total).toBeCloseTo(1, 9);
      }),
    );
  });
});

describe('ownerIndex', () => {
  it('finds the first token at or after the position, wrapping to the first vnode', () => {
    expect(ownerIndex(ring, 0)).toBe(0);
    expect(ownerIndex(ring, 100)).toBe(0);
    expect(ownerIndex(ring, 101)).toBe(1);
    expect(ownerIndex(ring, 400)).toBe(3);
    expect(ownerIndex(ring, 401)).toBe(0);
  });

  it('agrees with a linear scan', () => {
    fc.assert(
      fc.property(arbitraryRing, fc.integer({ min: 0, max: tokenSpace - 1 }), (sorted, position) => {
        const linear = sorted.findIndex((vnode) => vnode.token >= position);
        expect(ownerIndex(sorted, position)).toBe(linear === -1 ? 0 : linear);
      }),
    );
  });
});

describe('preferenceWalk', () => {
  it('collects distinct nodes clockwise, skipping vnodes of nodes already met', () => {
    expect(preferenceWalk(ring, 150, 3)).toEqual([
      { node: 'b', token: 200, distance: 50 },
      { node: 'a', token: 300, distance: 150 },
      { node: 'c', token: 400, distance: 250 },
    ]);
  });

  it('wraps past zero and stops when the ring has fewer nodes than asked', () => {
    expect(preferenceWalk(ring, 350, 5).map((step) => step.node)).toEqual(['c', 'a', 'b']);
    expect(preferenceWalk([], 1, 3)).toEqual([]);
  });

  it('always returns min(count, distinct nodes) distinct nodes, the first owning the position', () => {
    fc.assert(
      fc.property(
        arbitraryRing,
        fc.integer({ min: 0, max: tokenSpace - 1 }),
        fc.integer({ min: 1, max: 7 }),
        (sorted, position, count) => {
          const walk = preferenceWalk(sorted, position, count);
          const nodes = walk.map((step) => step.node);
          expect(new Set(nodes).size).toBe(nodes.length);
          expect(nodes.length).toBe(Math.min(count, ringNodes(sorted).length));
          expect(nodes[0]).toBe(sorted[ownerIndex(sorted, position)]!.node);
          const distances = walk.map((step) => step.distance);
          expect([...distances].sort((x, y) => x - y)).toEqual(distances);
        },
      ),
    );
  });
});

describe('walkToNodes', () => {
  it('finds where an authoritative list meets the ring, in the list order', () => {
    expect(walkToNodes(ring, 150, ['a', 'c'])).toEqual([
      { node: 'a', token: 300, distance: 150 },
      { node: 'c', token: 400, distance: 250 },
    ]);
  });

  it('leaves out nodes this ring does not know', () => {
    expect(walkToNodes(ring, 150, ['b', 'zz']).map((step) => step.node)).toEqual(['b']);
  });
});

describe('replica shares', () => {
  it('gives every node the ranges whose preference list holds it', () => {
    const ranges = ringRanges(ring);
    const lists = rangePreferenceLists(ring, 2);
    expect(lists).toEqual([
      ['a', 'b'],
      ['b', 'a'],
      ['a', 'c'],
      ['c', 'a'],
    ]);
    const shares = replicaShares(ranges, lists);
    expect(shares.get('a')).toBeCloseTo(1, 9);
    expect(shares.get('b')! * tokenSpace).toBeCloseTo(tokenSpace - 300 + 100, 0);
  });

  it('sums to replicationFactor when the ring has enough nodes', () => {
    fc.assert(
      fc.property(arbitraryRing, fc.integer({ min: 1, max: 3 }), (sorted: RingToken[], factor) => {
        const nodes = ringNodes(sorted).length;
        const shares = replicaShares(ringRanges(sorted), rangePreferenceLists(sorted, factor));
        const total = [...shares.values()].reduce((sum, share) => sum + share, 0);
        expect(total).toBeCloseTo(Math.min(factor, nodes), 9);
      }),
    );
  });
});

describe('clockwiseDistance', () => {
  it('measures clockwise, wrapping past zero', () => {
    expect(clockwiseDistance(10, 30)).toBe(20);
    expect(clockwiseDistance(30, 10)).toBe(tokenSpace - 20);
    expect(clockwiseDistance(5, 5)).toBe(0);
  });
});
