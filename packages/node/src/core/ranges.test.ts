import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyToken } from './hash.js';
import { movedRanges, primaryShares, type RangeMove, rangeContains, rangeWidth } from './ranges.js';
import { Ring, tokenSpace } from './ring.js';

const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const token = fc.oneof(uint32, fc.integer({ min: 0, max: 40 }));
const nodeId = fc.stringMatching(/^[a-f]:[1-9]$/);
const members = fc.uniqueArray(
  fc.record({ id: nodeId, tokens: fc.array(token, { minLength: 1, maxLength: 10 }) }),
  {
    minLength: 1,
    maxLength: 6,
    selector: (member) => member.id,
  },
);

/** A ring change: a join, a leave, or a node taking new tokens. */
const change = fc.record({
  kind: fc.constantFrom('join', 'leave', 'retoken'),
  pick: fc.nat(),
  tokens: fc.array(token, { minLength: 1, maxLength: 10 }),
});

function applyChange(before: Ring, step: { kind: string; pick: number; tokens: number[] }): Ring {
  const victim = before.nodes()[step.pick % before.size]!;
  if (step.kind === 'join') return before.addNode('new:1', step.tokens);
  if (step.kind === 'leave') return before.removeNode(victim);
  return before.removeNode(victim).addNode(victim, step.tokens);
}

/** The sample points: random tokens plus every ring token and its neighbours, where moves begin and end. */
function samplePoints(before: Ring, after: Ring, random: number[]): number[] {
  const points = [...random, 0, 2 ** 32 - 1];
  for (const ring of [before, after]) {
    for (const { token: t } of ring.entries()) points.push(t, (t + 1) % 2 ** 32, (t + 2 ** 32 - 1) % 2 ** 32);
  }
  return points;
}

function movesContaining(moves: RangeMove[], t: number): RangeMove[] {
  return moves.filter((move) => rangeContains(move, t));
}

describe('movedRanges', () => {
  it('covers exactly the tokens whose replica set changes, with their sources and targets', () => {
    fc.assert(
      fc.property(
        members,
        change,
        fc.integer({ min: 1, max: 4 }),
        fc.array(uint32, { maxLength: 30 }),
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 30 }),
        (list, step, n, random, keys) => {
          const before = Ring.fromMembers(list);
          const after = applyChange(before, step);
          const moves = movedRanges(before, after, n);
          const keyTokens = keys.map((key) => keyToken(key));
          for (const t of samplePoints(before, after, [...random, ...keyTokens])) {
            const sources = before.preferenceListForToken(t, n);
            const replicas = after.tokenCount === 0 ? [] : after.preferenceListForToken(t, n);
            const changed =
              sources.length !== replicas.length || replicas.some((id) => !sources.includes(id));
            const containing = movesContaining(moves, t);
            expect(containing.length).toBe(changed ? 1 : 0);
            if (changed) {
              expect(containing[0]!.sources).toEqual(sources);
              expect(containing[0]!.targets).toEqual(replicas.filter((id) => !sources.includes(id)));
            }
          }
        },
      ),
    );
  });

  it('lists nothing for the same ring, and the whole ring for a first node', () => {
    const ring = Ring.fromMembers([
      { id: 'a', tokens: [10, 30] },
      { id: 'b', tokens: [20] },
    ]);
    expect(movedRanges(ring, Ring.fromMembers(ring.members()), 2)).toEqual([]);
    expect(movedRanges(Ring.empty(), Ring.empty(), 3)).toEqual([]);
    const first = Ring.empty().addNode('a', [10, 30]);
    expect(movedRanges(Ring.empty(), first, 3)).toEqual([
      { startExclusive: 30, endInclusive: 30, sources: [], targets: ['a'] },
    ]);
  });

  it('moves only the ranges a joining node takes, from their previous owner', () => {
    const before = Ring.fromMembers([
      { id: 'a', tokens: [100, 300] },
      { id: 'b', tokens: [200] },
    ]);
    const after = before.addNode('c', [150]);
    expect(movedRanges(before, after, 1)).toEqual([
      { startExclusive: 100, endInclusive: 150, sources: ['b'], targets: ['c'] },
    ]);
    // With two replicas, c also becomes the second replica of (200, 100], replacing b. Moves are listed in
    // the order of their end tokens, so the wrapping range comes first.
    expect(movedRanges(before, after, 2)).toEqual([
      { startExclusive: 200, endInclusive: 100, sources: ['a', 'b'], targets: ['c'] },
      { startExclusive: 100, endInclusive: 150, sources: ['b', 'a'], targets: ['c'] },
    ]);
  });

  it('lists ranges that only lose a replica, with no targets', () => {
    const before = Ring.fromMembers([
      { id: 'a', tokens: [100] },
      { id: 'b', tokens: [200] },
    ]);
    expect(movedRanges(before, before.removeNode('b'), 2)).toEqual([
      { startExclusive: 200, endInclusive: 100, sources: ['a', 'b'], targets: [] },
      { startExclusive: 100, endInclusive: 200, sources: ['b', 'a'], targets: [] },
    ]);
  });
});

describe('range helpers', () => {
  it('contain tokens with wrap-around, the whole ring when start === end', () => {
    expect(rangeContains({ startExclusive: 10, endInclusive: 20 }, 10)).toBe(false);
    expect(rangeContains({ startExclusive: 10, endInclusive: 20 }, 20)).toBe(true);
    expect(rangeContains({ startExclusive: 20, endInclusive: 10 }, 2 ** 32 - 1)).toBe(true);
    expect(rangeContains({ startExclusive: 20, endInclusive: 10 }, 0)).toBe(true);
    expect(rangeContains({ startExclusive: 20, endInclusive: 10 }, 15)).toBe(false);
    expect(rangeContains({ startExclusive: 7, endInclusive: 7 }, 123)).toBe(true);
  });

  it('measure width from 1 to 2^32', () => {
    expect(rangeWidth({ startExclusive: 10, endInclusive: 11 })).toBe(1);
    expect(rangeWidth({ startExclusive: 20, endInclusive: 10 })).toBe(2 ** 32 - 10);
    expect(rangeWidth({ startExclusive: 5, endInclusive: 5 })).toBe(2 ** 32);
  });
});

describe('primaryShares', () => {
  it('gives each node the width of the ranges it is first replica of, in ring.nodes() order', () => {
    // b:1 owns (10, 1000], a:1 owns (1000, 10] wrapping past the top of the token space.
    const ring = Ring.fromMembers([
      { id: 'a:1', tokens: [10] },
      { id: 'b:1', tokens: [1000] },
    ]);
    expect(primaryShares(ring)).toEqual([(tokenSpace - 990) / tokenSpace, 990 / tokenSpace]);
  });

  it('sums to the whole ring for any members', () => {
    const members = fc.uniqueArray(fc.integer({ min: 0, max: tokenSpace - 1 }), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(members, fc.integer({ min: 1, max: 6 }), (tokens, nodes) => {
        const ring = Ring.fromMembers(
          Array.from({ length: nodes }, (_, n) => ({
            id: `n${n}:1`,
            tokens: tokens.filter((_, i) => i % nodes === n),
          })).filter((member) => member.tokens.length > 0),
        );
        const total = primaryShares(ring).reduce((sum, share) => sum + share, 0);
        expect(total).toBeCloseTo(1, 12);
      }),
    );
  });
});
