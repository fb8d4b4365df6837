import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, compareTokenKey } from './key-order.js';

const sign = (value: number) => Math.sign(value);

describe('key order', () => {
  it('orders keys as LMDB orders their UTF-8 bytes', () => {
    // Full code points, including the astral planes whose surrogates sort differently in UTF-16.
    const key = fc.string({ unit: 'binary', maxLength: 8 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
    expect(compareKeys('\uffff', '\u{10000}')).toBeLessThan(0);
    expect('\uffff' < '\u{10000}').toBe(false); // what plain string comparison would get wrong
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });

  it('orders by token first, and places a key-less bound after every key of its token', () => {
    expect(compareTokenKey(1, 'z', 2, 'a')).toBeLessThan(0);
    expect(compareTokenKey(2, 'a', 1, 'z')).toBeGreaterThan(0);
    expect(compareTokenKey(1, '\u{10ffff}', 1)).toBeLessThan(0);
    expect(compareTokenKey(1, 'b', 1, 'a')).toBeGreaterThan(0);
  });
});
