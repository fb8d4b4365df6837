import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString, keyToken, murmur3, murmur3Words } from './hash.js';

describe('murmur3 x86_32', () => {
  // Reference vectors from the canonical C++ implementation (SMHasher) and its widely published test set.
  it('matches published test vectors', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(murmur3(bytes(''), 0, 0)).toBe(0);
    expect(murmur3(bytes(''), 0, 1)).toBe(0x514e28b7);
    expect(murmur3(bytes(''), 0, 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3(new Uint8Array([0, 0, 0, 0]), 4, 0)).toBe(0x2362f9de);
    expect(murmur3(bytes('aaaa'), 4, 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3(bytes('aaa'), 3, 0x9747b28c)).toBe(0x283e0130);
    expect(murmur3(bytes('aa'), 2, 0x9747b28c)).toBe(0x5d211726);
    expect(murmur3(bytes('a'), 1, 0x9747b28c)).toBe(0x7fa09ea6);
    expect(murmur3(bytes('abcd'), 4, 0x9747b28c)).toBe(0xf0478627);
    expect(murmur3(bytes('Hello, world!'), 13, 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3(bytes('The quick brown fox jumps over the lazy dog'), 43, 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes ASCII strings (the fast path) exactly as their UTF-8 bytes, for any length and seed', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
    });
    fc.assert(
      fc.property(ascii, fc.integer({ min: 0, max: 2 ** 32 - 1 }), (s, seed) => {
        expect(hashString(s, seed)).toBe(murmur3(new TextEncoder().encode(s), s.length, seed));
      }),
      { numRuns: 2000 },
    );
    // A non-ASCII character in a block or in the tail leaves the fast path at any position.
    for (const text of [
      'é',
      'abcé',
      'abcdé',
      'abcdefgé',
      'éabc',
      'ab\u0080',
      'key:\u00ff12',
      'x'.repeat(1023) + 'é',
    ]) {
      expect(hashString(text, 7)).toBe(murmur3(new TextEncoder().encode(text), undefined, 7));
    }
  });

  it('hashes strings by their UTF-8 bytes', () => {
    expect(hashString('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(keyToken('π')).toBe(murmur3(new TextEncoder().encode('π')));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (s) => {
        const token = keyToken(s);
        expect(token).toBe(murmur3(new TextEncoder().encode(s)));
        expect(Number.isInteger(token) && token >= 0 && token < 2 ** 32).toBe(true);
      }),
    );
  });

  it('hashes four words exactly as murmur3 hashes their 16 little-endian bytes', () => {
    const word = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(word, word, word, word, word, (a, b, c, d, seed) => {
        const bytes = new Uint8Array(16);
        const view = new DataView(bytes.buffer);
        for (const [index, value] of [a, b, c, d].entries()) view.setUint32(index * 4, value, true);
        expect(murmur3Words(a, b, c, d, seed)).toBe(murmur3(bytes, 16, seed));
      }),
    );
    // Negative (signed) words hash as their unsigned 32-bit selves.
    expect(murmur3Words(-1, 0, 0, 0)).toBe(murmur3Words(0xffffffff, 0, 0, 0));
  });
});
