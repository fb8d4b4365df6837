import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyToken } from './hash.js';
import { defaultTokens, Ring, type RingMember } from './ring.js';

const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
// Half the tokens come from a narrow band so that collisions between members and tiny ranges happen.
const token = fc.oneof(uint32, fc.integer({ min: 0, max: 40 }));
const members = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-e]{1,2}:[1-9]$/),
    tokens: fc.array(token, { minLength: 1, maxLength: 12 }),
  }),
  { minLength: 1, maxLength: 7, selector: (member) => member.id },
);
const ringArbitrary = members.map((list) => Ring.fromMembers(list));
// Wide tokens only: a leaving node that won a clash hands its token back to the loser, which can reorder
// preference lists (see 'gives a token claimed twice...'), so this arbitrary keeps clashes out.
const ringWithoutClashes = fc
  .uniqueArray(
    fc.record({
      id: fc.stringMatching(/^[a-e]{1,2}:[1-9]$/),
      tokens: fc.array(uint32, { minLength: 1, maxLength: 12 }),
    }),
    {
      minLength: 1,
      maxLength: 7,
      selector: (member) => member.id,
    },
  )
  .map((list) => Ring.fromMembers(list))
  .filter((ring) => ring.tokenCount === ring.members().reduce((sum, m) => sum + m.tokens.length, 0));
const probes = fc.array(fc.oneof(uint32, fc.integer({ min: 0, max: 45 })), { minLength: 1, maxLength: 40 });

/** A model owner lookup, written independently of Ring: scan every declared pair. */
function modelPreferenceList(list: readonly RingMember[], at: number, n: number): string[] {
  const pairs = list.flatMap((member) => Array.from(member.tokens, (t) => ({ token: t, node: member.id })));
  pairs.sort((a, b) => a.token - b.token || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const effective = pairs.filter((pair, i) => i === 0 || pairs[i - 1]!.token !== pair.token);
  const start = effective.findIndex((pair) => pair.token >= at);
  const result: string[] = [];
  for (let step = 0; step < effective.length; step++) {
    const pair = effective[((start === -1 ? 0 : start) + step) % effective.length]!;
    if (result.length < n && !result.includes(pair.node)) result.push(pair.node);
  }
  return result;
}

describe('Ring, by example', () => {
  // a owns (300, 100] and (200, 300]; b owns (100, 200].
  const ring = Ring.fromMembers([
    { id: 'a', tokens: [300, 100] },
    { id: 'b', tokens: [200] },
  ]);

  it('gives each token to the first ring token at or after it, wrapping', () => {
    expect(ring.size).toBe(2);
    expect(ring.nodes()).toEqual(['a', 'b']);
    const owners = [0, 100, 101, 200, 201, 300, 301, 2 ** 32 - 1].map((t) => ring.nodeForToken(t));
    expect(owners).toEqual(['a', 'a', 'b', 'b', 'a', 'a', 'a', 'a']);
    expect(ring.tokenIndexFor(101)).toBe(1);
    expect(ring.tokenIndexFor(301)).toBe(0);
  });

  it('lists entries in token order and tokens per node', () => {
    expect(ring.entries()).toEqual([
      { token: 100, node: 'a' },
      { token: 200, node: 'b' },
      { token: 300, node: 'a' },
    ]);
    expect(ring.tokensOf('a')).toEqual([100, 300]);
    expect(ring.tokensOf('zz')).toEqual([]);
    expect(ring.has('b') && !ring.has('c')).toBe(true);
  });

  it('builds preference lists of distinct nodes clockwise', () => {
    expect(ring.preferenceListForToken(150, 2)).toEqual(['b', 'a']);
    expect(ring.preferenceListForToken(250, 5)).toEqual(['a', 'b']);
    expect(ring.preferenceListForToken(250, 0)).toEqual([]);
    expect([...ring.walk(150)]).toEqual(['b', 'a']);
  });

  it('shares one frozen preference list per token and length (computed once)', () => {
    const first = ring.preferenceListForToken(150, 2);
    expect(ring.preferenceListForToken(120, 2)).toBe(first); // the same token owns 101..200
    expect(ring.preferenceListForToken(150, 1)).toEqual(['b']);
    expect(ring.preferenceListForToken(150, 2)).toEqual(['b', 'a']);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('reports ranges, wrapping ranges merged, the whole ring as start === end', () => {
    expect(ring.rangesOf('b', 1)).toEqual([{ startExclusive: 100, endInclusive: 200 }]);
    expect(ring.rangesOf('a', 1)).toEqual([{ startExclusive: 200, endInclusive: 100 }]);
    expect(ring.rangesOf('a', 2)).toEqual([{ startExclusive: 300, endInclusive: 300 }]);
    expect(ring.rangesOf('c', 2)).toEqual([]);
  });

  it('gives a token claimed twice to the smaller node id, and back when that node leaves', () => {
    const clash = Ring.fromMembers([
      { id: 'b', tokens: [5, 10] },
      { id: 'a', tokens: [5] },
    ]);
    expect(clash.nodeForToken(5)).toBe('a');
    expect(clash.tokenCount).toBe(2);
    expect(clash.tokensOf('b')).toEqual([5, 10]);
    expect(clash.removeNode('a').nodeForToken(5)).toBe('b');
  });

  it('finds keys by their murmur3 token', () => {
    const big = Ring.empty().addNode('10.0.0.1:7001').addNode('10.0.0.2:7001').addNode('10.0.0.3:7001');
    expect(big.tokensOf('10.0.0.1:7001')).toEqual(defaultTokens('10.0.0.1:7001', 128));
    for (const key of ['user:42', 'π', '', 'a/b']) {
      expect(big.nodeFor(key)).toBe(big.nodeForToken(keyToken(key)));
      expect(big.preferenceList(key, 3)).toEqual(big.preferenceListForToken(keyToken(key), 3));
    }
  });

  it('refuses impossible input as a bug', () => {
    expect(() => Ring.empty().nodeFor('k')).toThrow(/empty ring/);
    expect(() =>
      Ring.fromMembers([
        { id: 'a', tokens: [1] },
        { id: 'a', tokens: [2] },
      ]),
    ).toThrow(/twice/);
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => Ring.fromMembers([{ id: 'a', tokens: [bad] }])).toThrow(/bad token/);
    }
    expect(() => Ring.fromMembers([{ id: 'a', tokens: [] }])).toThrow(/no tokens/);
    expect(() => ring.addNode('a', [7])).toThrow(/already a member/);
    expect(() => defaultTokens('a', 0)).toThrow(/vnodes/);
  });

  it('is unchanged by removing a node that is not a member', () => {
    expect(ring.removeNode('nobody')).toBe(ring);
    expect(Ring.empty().size).toBe(0);
    expect([...Ring.empty().walk(5)]).toEqual([]);
  });

  it('derives default tokens deterministically, distinct and sorted', () => {
    const tokens = defaultTokens('10.0.0.9:7001', 256);
    expect(tokens).toEqual(defaultTokens('10.0.0.9:7001', 256));
    expect(new Set(tokens).size).toBe(256);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
  });
});

describe('Ring, properties', () => {
  it('gives every token exactly one owner, the one the model finds', () => {
    fc.assert(
      fc.property(members, probes, (list, tokens) => {
        const ring = Ring.fromMembers(list);
        for (const t of tokens) {
          const owner = ring.nodeForToken(t);
          expect(owner).toBe(modelPreferenceList(list, t, 1)[0]);
          const holders = ring.nodes().filter((id) => ring.rangesOf(id, 1).some((r) => inRange(r, t)));
          expect(holders).toEqual([owner]);
        }
      }),
    );
  });

  it('builds preference lists of min(n, size) distinct nodes in clockwise order', () => {
    fc.assert(
      fc.property(members, probes, fc.integer({ min: 1, max: 8 }), (list, tokens, n) => {
        const ring = Ring.fromMembers(list);
        const reachable = new Set(ring.entries().map((entry) => entry.node)).size;
        for (const t of tokens) {
          const preference = ring.preferenceListForToken(t, n);
          expect(preference).toEqual(modelPreferenceList(list, t, n));
          expect(preference.length).toBe(Math.min(n, reachable));
          expect(new Set(preference).size).toBe(preference.length);
          expect([...ring.walk(t)].slice(0, n)).toEqual(preference);
          for (const id of ring.nodes()) {
            const inRanges = ring.rangesOf(id, n).some((r) => inRange(r, t));
            expect(inRanges).toBe(preference.includes(id));
          }
        }
      }),
    );
  });

  it('moves keys only to a node that joins', () => {
    fc.assert(
      fc.property(
        ringArbitrary,
        fc.array(token, { minLength: 1, maxLength: 12 }),
        probes,
        (before, tokens, at) => {
          const after = before.addNode('new:1', tokens);
          for (const t of at) {
            expect([before.nodeForToken(t), 'new:1']).toContain(after.nodeForToken(t));
            for (const n of [1, 2, 3]) {
              const kept = after.preferenceListForToken(t, n).filter((id) => id !== 'new:1');
              expect(before.preferenceListForToken(t, n).slice(0, kept.length)).toEqual(kept);
            }
          }
        },
      ),
    );
  });

  it('moves only the keys of a node that leaves', () => {
    fc.assert(
      fc.property(ringWithoutClashes, fc.nat(), probes, (before, pick, at) => {
        fc.pre(before.size >= 2);
        const leaving = before.nodes()[pick % before.size]!;
        const after = before.removeNode(leaving);
        expect(after.has(leaving)).toBe(false);
        for (const t of at) {
          if (after.nodeForToken(t) !== before.nodeForToken(t)) expect(before.nodeForToken(t)).toBe(leaving);
          for (const n of [1, 2, 3]) {
            const kept = before.preferenceListForToken(t, n).filter((id) => id !== leaving);
            expect(after.preferenceListForToken(t, n).slice(0, kept.length)).toEqual(kept);
          }
        }
      }),
    );
  });

  it('is a function of its members: any order, same ring, same checksum', () => {
    fc.assert(
      fc.property(members, fc.nat(), (list, seed) => {
        const ring = Ring.fromMembers(list);
        const shuffled = shuffle(list, seed).map((m) => ({ id: m.id, tokens: shuffle([...m.tokens], seed) }));
        const again = Ring.fromMembers(shuffled);
        expect(again.checksum).toBe(ring.checksum);
        expect(again.entries()).toEqual(ring.entries());
        expect(Ring.fromMembers(ring.members()).checksum).toBe(ring.checksum);
        const [first, ...rest] = list;
        const rebuilt = rest.reduce(
          (r, m) => r.addNode(m.id, m.tokens),
          Ring.empty().addNode(first!.id, first!.tokens),
        );
        expect(rebuilt.checksum).toBe(ring.checksum);
      }),
    );
  });

  it('changes its checksum when any token or owner changes', () => {
    fc.assert(
      fc.property(members, (list) => {
        const ring = Ring.fromMembers(list);
        const [first, ...rest] = list;
        const moved = [{ id: first!.id, tokens: [...first!.tokens, 2 ** 32 - 1 - 7] }, ...rest];
        fc.pre(!first!.tokens.includes(2 ** 32 - 1 - 7));
        expect(Ring.fromMembers(moved).checksum).not.toBe(ring.checksum);
        const renamed = [{ id: 'zz:9', tokens: first!.tokens }, ...rest];
        expect(Ring.fromMembers(renamed).checksum).not.toBe(ring.checksum);
        expect(ring.addNode('zz:8', [3]).removeNode('zz:8').checksum).toBe(ring.checksum);
      }),
    );
  });
});

function inRange(range: { startExclusive: number; endInclusive: number }, t: number): boolean {
  const { startExclusive: start, endInclusive: end } = range;
  return start < end ? t > start && t <= end : t > start || t <= end;
}

/** A deterministic Fisher-Yates shuffle driven by a seed (fast-check supplies the seed). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed >>> 0;
  for (let i = result.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
