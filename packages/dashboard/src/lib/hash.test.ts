import { describe, expect, it } from 'vitest';
import { keyToken, murmur3x86of32 } from './hash.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('murmur3x86of32', () => {
  // Published reference values of MurmurHash3_x86_32 (SMHasher), covering every tail length and seeds.
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['a', 0, 0x3c2569b2],
    ['abc', 0, 0xb3dd93fa],
    ['hello', 0, 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ])('hashes %j with seed %d to the reference value', (text, seed, expected) => {
    expect(murmur3x86of32(bytes(text), seed)).toBe(expected);
  });

  it('reads whole blocks and tails little-endian', () => {
    expect(murmur3x86of32(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(0x76293b50);
    expect(murmur3x86of32(new Uint8Array([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b);
    expect(murmur3x86of32(new Uint8Array([0x21, 0x43, 0x65]))).toBe(0x7e4a8634);
  });
});

describe('keyToken', () => {
  it('hashes the UTF-8 bytes of the key, not its UTF-16 units', () => {
    expect(keyToken('ü')).toBe(murmur3x86of32(new Uint8Array([0xc3, 0xbc])));
    expect(keyToken('🙂')).toBe(murmur3x86of32(new Uint8Array([0xf0, 0x9f, 0x99, 0x82])));
  });

  it('always answers an unsigned 32-bit token', () => {
    for (const key of ['a', 'user:42', '日本語', 'x'.repeat(1024)]) {
      const token = keyToken(key);
      expect(Number.isInteger(token)).toBe(true);
      expect(token).toBeGreaterThanOrEqual(0);
      expect(token).toBeLessThan(2 ** 32);
    }
  });
});
