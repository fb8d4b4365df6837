import { describe, expect, it } from 'vitest';
import { ringRanges, sortTokens, tokenSpace } from './ring.js';
import { interpolateArcs } from './ring-animation.js';
import { nodePaths } from './ring-drawing.js';

const geometry = { centre: { x: 0, y: 0 }, arcRadius: 100, tickInnerRadius: 110, tickOuterRadius: 120 };

describe('nodePaths', () => {
  it('draws one path of arcs and one of ticks per node, however many vnodes', () => {
    const tokens = Array.from({ length: 50 * 256 }, (_, index) => ({
      token: Math.floor((index * tokenSpace) / (50 * 256)),
      node: `node-${index % 50}`,
    }));
    const paths = nodePaths(interpolateArcs([], ringRanges(sortTokens(tokens)), 1), geometry);
    expect(paths).toHaveLength(50);
    for (const node of paths) {
      expect(node.arcs.match(/M/g)).toHaveLength(256);
      expect(node.ticks.match(/M/g)).toHaveLength(256);
      expect(node.fadingTicks).toBe('');
    }
  });

  it('separates the ticks of vnodes that are still fading in', () => {
    const before = ringRanges([{ token: 10, node: 'a' }]);
    const after = ringRanges(
      sortTokens([
        { token: 10, node: 'a' },
        { token: tokenSpace / 2, node: 'b' },
      ]),
    );
    const [a, b] = nodePaths(interpolateArcs(before, after, 0.5), geometry);
    expect(a!.node).toBe('a');
    expect(a!.ticks).not.toBe('');
    expect(b!.ticks).toBe('');
    expect(b!.fadingTicks).not.toBe('');
    expect(b!.fadingOpacity).toBeCloseTo(0.5, 6);
  });
});
