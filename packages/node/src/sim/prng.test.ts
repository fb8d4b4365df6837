import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('replays the same stream from the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const drawsA = Array.from({ length: 100 }, () => a.nextUint32());
    const drawsB = Array.from({ length: 100 }, () => b.nextUint32());
    expect(drawsA).toEqual(drawsB);
  });

  it('gives different streams for neighbouring seeds', () => {
    expect(new Prng(1).nextUint32()).not.toBe(new Prng(2).nextUint32());
    expect(new Prng(2 ** 40).nextUint32()).not.toBe(new Prng(2 ** 40 + 1).nextUint32());
  });

  it('draws int(bound) uniformly inside [0, bound)', () => {
    const random = new Prng(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[random.int(10)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(600);
    expect(() => random.int(0)).toThrow(/bad bound/);
  });

  it('next() stays in [0, 1)', () => {
    const random = new Prng(3);
    const values = Array.from({ length: 10_000 }, () => random.next());
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('forks independent streams that do not depend on the parent position', () => {
    const parent = new Prng(9);
    const before = parent.fork('network').nextUint32();
    parent.nextUint32();
    expect(parent.fork('network').nextUint32()).toBe(before);
    expect(parent.fork('node:a').nextUint32()).not.toBe(parent.fork('node:b').nextUint32());
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Prng(5).shuffle(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
  });
});
