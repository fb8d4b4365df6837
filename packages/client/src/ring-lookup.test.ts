import type { RingResult } from '@ringkv/protocol';
import { keyToken } from '@ringkv/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingLookup } from './ring-lookup.js';

function ring(tokens: [number, string][], replicationFactor = 3): RingResult {
  return { epoch: 1, vnodes: 1, replicationFactor, tokens: tokens.map(([token, node]) => ({ token, node })) };
}

describe('RingLookup', () => {
  it('sends a key to the first token at or after its own, wrapping past the last', () => {
    const key = 'user:42';
    const token = keyToken(key);
    const lookup = RingLookup.fromRing(
      ring([
        [token, 'b:1'],
        [(token + 1) % 2 ** 32, 'c:1'],
        [(token + 2 ** 31) % 2 ** 32, 'a:1'],
      ]),
    );
    expect(lookup.primary(key)).toBe('b:1');
    const past = RingLookup.fromRing(ring([[(token + 2 ** 31) % 2 ** 32, 'a:1']]));
    expect(past.primary(key)).toBe('a:1');
  });

  it('lists distinct nodes clockwise, primary first, at most replicationFactor of them', () => {
    const lookup = RingLookup.fromRing(
      ring([
        [10, 'a:1'],
        [20, 'a:1'],
        [30, 'b:1'],
        [40, 'a:1'],
        [50, 'c:1'],
        [60, 'd:1'],
      ]),
    );
    // Every key lands somewhere; the list never repeats a node and has min(3, nodes) entries.
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (key) => {
        const list = lookup.preferenceList(key);
        expect(list).toHaveLength(3);
        expect(new Set(list).size).toBe(3);
        expect(list[0]).toBe(lookup.primary(key));
      }),
    );
    const two = RingLookup.fromRing(
      ring([
        [10, 'a:1'],
        [20, 'b:1'],
      ]),
    );
    expect(two.preferenceList('x', 3)).toHaveLength(2);
  });

  it('agrees with a brute-force walk for random rings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.constantFrom('a:1', 'b:1', 'c:1', 'd:1')), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.string({ minLength: 1 }),
        (tokens, key) => {
          const sorted = [...tokens].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
          const token = keyToken(key);
          const start = sorted.findIndex(([t]) => t >= token);
          const walk = [
            ...sorted.slice(start === -1 ? 0 : start),
            ...sorted.slice(0, start === -1 ? 0 : start),
          ];
          const expected = [...new Set(walk.map(([, node]) => node))].slice(0, 2);
          expect(RingLookup.fromRing(ring(tokens, 2)).preferenceList(key)).toEqual(expected);
        },
      ),
    );
  });

  it('shares one frozen list per range between calls, and still agrees with the walk', () => {
    const tokens: [number, string][] = [
      [100, 'a:1'],
      [2 ** 30, 'b:1'],
      [2 ** 31, 'a:1'],
      [3 * 2 ** 30, 'c:1'],
    ];
    const lookup = RingLookup.fromRing(ring(tokens, 2));
    const fresh = (key: string) => RingLookup.fromRing(ring(tokens, 2)).preferenceList(key);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (key) => {
        const first = lookup.preferenceList(key);
        const again = lookup.preferenceList(key);
        expect(again).toBe(first);
        expect(Object.isFrozen(first)).toBe(true);
        expect(first).toEqual(fresh(key));
      }),
    );
    // Another count than the replication factor is walked, not cached, and can be changed by its caller.
    const three = lookup.preferenceList('k', 3);
    expect(three).toHaveLength(3);
    expect(Object.isFrozen(three)).toBe(false);
    expect(lookup.preferenceList('k')).toEqual(three.slice(0, 2));
  });

  it('takes the write quorum a ring reports, at most its replication factor', () => {
    expect(RingLookup.fromRing({ ...ring([], 3), writeQuorum: 2 }).writeQuorum).toBe(2);
    expect(RingLookup.fromRing({ ...ring([], 1), writeQuorum: 2 }).writeQuorum).toBe(1);
    expect(RingLookup.fromRing(ring([], 3)).writeQuorum).toBeUndefined();
  });

  it('answers nothing on an empty ring', () => {
    const lookup = RingLookup.fromRing(ring([]));
    expect(lookup.primary('k')).toBeUndefined();
    expect(lookup.preferenceList('k')).toEqual([]);
  });
});
