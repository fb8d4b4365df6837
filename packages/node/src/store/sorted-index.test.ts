import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTokenKey } from './key-order.js';
import { type IndexEntry, SortedIndex } from './sorted-index.js';

function byTokenKey(a: IndexEntry, b: IndexEntry): number {
  return compareTokenKey(a.token, a.key, b.token, b.key);
}

function readFrom(index: SortedIndex, token: number, key?: string): IndexEntry[] {
  const position = index.seekAfter(token, key);
  const entries: IndexEntry[] = [];
  for (let entry = index.next(position); entry !== undefined; entry = index.next(position))
    entries.push(entry);
  return entries;
}

const operation = fc.record({
  insert: fc.boolean(),
  token: fc.integer({ min: 0, max: 20 }),
  key: fc.constantFrom('a', 'b', 'c', 'é', '🙂', '\uffff'),
});

describe('SortedIndex', () => {
  // Chunks of 4 entries split and empty all the time, so every path of insert and remove is taken.
  it('matches a sorted array under any inserts and removes, seeking from any bound', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 300 }),
        fc.integer({ min: -1, max: 21 }),
        fc.option(fc.constantFrom('a', 'c', '🙂')),
        (operations, seekToken, seekKey) => {
          const index = new SortedIndex(4);
          let reference: IndexEntry[] = [];
          for (const { insert, token, key } of operations) {
            const present = reference.some((entry) => entry.token === token && entry.key === key);
            if (insert && !present) {
              index.insert(token, key);
              reference.push({ token, key });
            }
            if (!insert) {
              expect(index.remove(token, key)).toBe(present);
              reference = reference.filter((entry) => entry.token !== token || entry.key !== key);
            }
          }
          reference.sort(byTokenKey);
          expect(readFrom(index, -1)).toEqual(reference);
          const bound = seekKey ?? undefined;
          const after = reference.filter(
            (entry) => compareTokenKey(entry.token, entry.key, seekToken, bound) > 0,
          );
          expect(readFrom(index, seekToken, bound)).toEqual(after);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is empty when nothing was inserted or everything was removed', () => {
    const index = new SortedIndex(2);
    expect(readFrom(index, -1)).toEqual([]);
    expect(index.remove(1, 'a')).toBe(false);
    for (const key of ['a', 'b', 'c', 'd', 'e']) index.insert(1, key);
    for (const key of ['c', 'a', 'e', 'b', 'd']) expect(index.remove(1, key)).toBe(true);
    expect(readFrom(index, -1)).toEqual([]);
  });
});
