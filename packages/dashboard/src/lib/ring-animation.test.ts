import { describe, expect, it } from 'vitest';
import { ringRanges, sortTokens, tokenSpace } from './ring.js';
import { easeInOutCubic, interpolateArcs, sameArcs } from './ring-animation.js';

const before = ringRanges(
  sortTokens([
    { token: 1000, node: 'a' },
    { token: 3000, node: 'b' },
  ]),
);
// Node c joins with a vnode at 2000, splitting b's range (1000, 3000].
const after = ringRanges(
  sortTokens([
    { token: 1000, node: 'a' },
    { token: 2000, node: 'c' },
    { token: 3000, node: 'b' },
  ]),
);

describe('interpolateArcs', () => {
  it('starts exactly at the old ring and ends exactly at the new one', () => {
    const start = interpolateArcs(before, after, 0).filter((frame) => frame.length > 0);
    expect(
      start.map(({ node, startToken, endToken, length }) => ({ node, startToken, endToken, length })),
    ).toEqual(expect.arrayContaining(before));
    const end = interpolateArcs(before, after, 1);
    expect(
      end.map(({ node, startToken, endToken, length }) => ({ node, startToken, endToken, length })),
    ).toEqual(after);
    expect(end.every((frame) => frame.opacity === 1)).toBe(true);
  });

  it('grows a new vnode from nothing while the range it splits shrinks, ends fixed', () => {
    const middle = interpolateArcs(before, after, 0.5);
    const newcomer = middle.find((frame) => frame.node === 'c')!;
    const split = middle.find((frame) => frame.node === 'b')!;
    expect(newcomer.endToken).toBe(2000);
    expect(newcomer.length).toBeCloseTo(500, 6);
    expect(newcomer.opacity).toBeCloseTo(0.5, 6);
    expect(split.endToken).toBe(3000);
    expect(split.length).toBeCloseTo(1500, 6);
    expect(split.startToken).toBeCloseTo(1500, 6);
  });

  it('keeps the ring covered exactly once at every step', () => {
    for (const progress of [0, 0.1, 0.37, 0.5, 0.8, 1]) {
      const total = interpolateArcs(before, after, progress).reduce((sum, frame) => sum + frame.length, 0);
      expect(total).toBeCloseTo(tokenSpace, 3);
    }
  });

  it('shrinks a removed vnode to nothing and fades it out', () => {
    const middle = interpolateArcs(after, before, 0.5);
    const leaving = middle.find((frame) => frame.node === 'c')!;
    expect(leaving.length).toBeCloseTo(500, 6);
    expect(leaving.opacity).toBeCloseTo(0.5, 6);
    expect(interpolateArcs(after, before, 1).some((frame) => frame.node === 'c')).toBe(false);
  });

  it('draws a first ring whole when there is nothing before it', () => {
    expect(interpolateArcs([], after, 1).map((frame) => frame.length)).toEqual(
      after.map((range) => range.length),
    );
  });
});

describe('easeInOutCubic', () => {
  it('is clamped, monotonic and symmetric', () => {
    expect(easeInOutCubic(-1)).toBe(0);
    expect(easeInOutCubic(2)).toBe(1);
    expect(easeInOutCubic(0.5)).toBeCloseTo(0.5, 9);
    let previous = 0;
    for (let step = 0; step <= 100; step += 1) {
      const value = easeInOutCubic(step / 100);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});

describe('sameArcs', () => {
  it('tells an unchanged ring from a changed one', () => {
    expect(
      sameArcs(
        before,
        ringRanges(sortTokens([...before].map(({ endToken, node }) => ({ token: endToken, node })))),
      ),
    ).toBe(true);
    expect(sameArcs(before, after)).toBe(false);
  });
});
