import { describe, expect, it } from 'vitest';
import { keyToken, murmur3 } from './hash.js';

describe('the client computes key tokens as the nodes do', () => {
  // The same published MurmurHash3 x86_32 vectors the node's core/hash.test.ts holds its copy to.
  it('matches published test vectors', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(murmur3(bytes(''), 0)).toBe(0);
    expect(murmur3(bytes(''), 1)).toBe(0x514e28b7);
    expect(murmur3(bytes(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3(new Uint8Array([0, 0, 0, 0]), 0)).toBe(0x2362f9de);
    expect(murmur3(bytes('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3(bytes('aaa'), 0x9747b28c)).toBe(0x283e0130);
    expect(murmur3(bytes('aa'), 0x9747b28c)).toBe(0x5d211726);
    expect(murmur3(bytes('a'), 0x9747b28c)).toBe(0x7fa09ea6);
    expect(murmur3(bytes('abcd'), 0x9747b28c)).toBe(0xf0478627);
    expect(murmur3(bytes('Hello, world!'), 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3(bytes('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes a key by its UTF-8 bytes with seed 0', () => {
    expect(keyToken('π')).toBe(murmur3(new Uint8Array([0xcf, 0x80]), 0));
    expect(keyToken('user:42')).toBe(murmur3(new TextEncoder().encode('user:42'), 0));
  });
});
