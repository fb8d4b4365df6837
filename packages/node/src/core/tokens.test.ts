import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeWidth } from './ranges.js';
import { defaultTokens, Ring, tokenSpace } from './ring.js';
import { allocateTokens, evenlySpacedTokens } from './tokens.js';

/** Token space each node holds as one of `n` replicas (n = 1: as primary), as a fraction of the ring. */
function shares(ring: Ring, n = 1): Map<string, number> {
  const result = new Map<string, number>();
  for (const id of ring.nodes()) {
    const width = ring.rangesOf(id, n).reduce((sum, range) => sum + rangeWidth(range), 0);
    result.set(id, width / tokenSpace);
  }
  return result;
}

function maxOverMean(ring: Ring, n = 1): number {
  const values = [...shares(ring, n).values()];
  return Math.max(...values) / (values.reduce((sum, value) => sum + value, 0) / values.length);
}

function joinAll(ids: readonly string[], vnodes: number, start: Ring = Ring.empty()): Ring {
  return ids.reduce((ring, id) => ring.addNode(id, allocateTokens(ring, id, vnodes)), start);
}

/** A ring of random murmur3 tokens, every node with the same number of vnodes, and that number. */
function randomRing(vnodesMin: number, vnodesMax: number) {
  return fc
    .record({
      ids: fc.uniqueArray(fc.stringMatching(/^10\.0\.[0-9]\.[0-9]{1,2}:7001$/), {
        minLength: 1,
        maxLength: 9,
      }),
      vnodes: fc.integer({ min: vnodesMin, max: vnodesMax }),
    })
    .map(({ ids, vnodes }) => ({
      ring: Ring.fromMembers(ids.map((id) => ({ id, tokens: defaultTokens(id, vnodes) }))),
      vnodes,
    }));
}

describe('allocateTokens', () => {
  it('spaces the first node evenly, offset by its id', () => {
    const tokens = allocateTokens(Ring.empty(), '10.0.0.1:7001', 128);
    expect(tokens).toEqual(evenlySpacedTokens('10.0.0.1:7001', 128));
    const spacing = Math.floor(tokenSpace / 128);
    expect(tokens.every((t, i) => i === 0 || t - tokens[i - 1]! === spacing)).toBe(true);
    expect(tokens[0]).toBeLessThan(spacing);
    expect(allocateTokens(Ring.empty(), '10.0.0.2:7001', 128)).not.toEqual(tokens);
  });

  it('keeps 10 nodes of 128 vnodes, joined one by one, within 1.05 of the mean as primary and RF 3 (from 5 nodes)', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:7001`);
    let ring = Ring.empty();
    for (const id of ids) {
      ring = joinAll([id], 128, ring);
      expect(maxOverMean(ring, 1), `primary after ${ring.size} nodes`).toBeLessThanOrEqual(1.05);
      // Four nodes with three replicas each is the hard case: each node must be left out of exactly a
      // quarter of the ring, and the greedy cuts land near 1.1 there (BENCHMARKS.md, Ring).
      const replicatedBound = ring.size === 4 ? 1.15 : 1.05;
      expect(maxOverMean(ring, 3), `RF 3 after ${ring.size} nodes`).toBeLessThanOrEqual(replicatedBound);
    }
  });

  it('keeps its cached cut shapes equal to shapes computed from scratch', () => {
    fc.assert(
      fc.property(
        randomRing(1, 24),
        fc.integer({ min: 1, max: 5 }),
        ({ ring, vnodes }, replicationFactor) => {
          const tokens = allocateTokens(ring, 'joiner:1', vnodes, replicationFactor, { verifyCache: true });
          expect(tokens).toEqual(allocateTokens(ring, 'joiner:1', vnodes, replicationFactor));
        },
      ),
      { numRuns: 25 },
    );
  });

  // With few vnodes (16 or less) on a ring of random tokens most ranges are narrower than the joiner's
  // per-token share, and its share can fall about 6% short; BENCHMARKS.md has the default case.
  it('gives a joining node vnodes new tokens, about 1/(N + 1) of the ring, taken only from others', () => {
    fc.assert(
      fc.property(randomRing(32, 96), ({ ring: before, vnodes }) => {
        const tokens = allocateTokens(before, 'joiner:1', vnodes);
        expect(tokens).toHaveLength(vnodes);
        expect(new Set(tokens).size).toBe(vnodes);
        expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
        const existing = new Set(before.entries().map((entry) => entry.token));
        expect(tokens.some((t) => existing.has(t))).toBe(false);
        const after = before.addNode('joiner:1', tokens);
        const share = shares(after).get('joiner:1')!;
        expect(Math.abs(share * (before.size + 1) - 1)).toBeLessThanOrEqual(0.05);
        // Nobody ends above the most loaded node before the join.
        const beforeMax = Math.max(...shares(before).values());
        for (const value of shares(after).values()) expect(value).toBeLessThanOrEqual(beforeMax + 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('is deterministic in (ring, id, vnodes), whatever order the ring was built in', () => {
    fc.assert(
      fc.property(randomRing(8, 64), ({ ring }) => {
        const reordered = Ring.fromMembers([...ring.members()].reverse());
        expect(allocateTokens(reordered, 'joiner:1', 64)).toEqual(allocateTokens(ring, 'joiner:1', 64));
      }),
      { numRuns: 30 },
    );
  });

  it('gives two nodes joining the same ring at once different tokens', () => {
    const ring = joinAll(['10.0.0.1:7001', '10.0.0.2:7001', '10.0.0.3:7001'], 64);
    const first = allocateTokens(ring, '10.0.0.4:7001', 64);
    const second = allocateTokens(ring, '10.0.0.5:7001', 64);
    expect(first.filter((token) => second.includes(token))).toEqual([]);
    const both = ring.addNode('10.0.0.4:7001', first).addNode('10.0.0.5:7001', second);
    expect(shares(both).get('10.0.0.5:7001')).toBeGreaterThan(0.1);
  });

  it('refuses a member or a bad vnodes count as a bug', () => {
    const ring = Ring.empty().addNode('a', [1, 2]);
    expect(() => allocateTokens(ring, 'a', 8)).toThrow(/already a member/);
    expect(() => allocateTokens(ring, 'b', 0)).toThrow(/vnodes/);
    expect(() => allocateTokens(ring, 'b', 1.5)).toThrow(/vnodes/);
  });
});
