import { describe, expect, it } from 'vitest';
import { assignColorSlots, sameSlots } from './colors.js';

describe('assignColorSlots', () => {
  it('gives a first set of nodes slots in id order', () => {
    expect([...assignColorSlots(new Map(), ['c', 'a', 'b'], 12)]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('keeps existing colours when a node joins, and reuses a slot a departed node freed', () => {
    const first = assignColorSlots(new Map(), ['a', 'b', 'c'], 12);
    const joined = assignColorSlots(first, ['0-first-by-id', 'a', 'b', 'c'], 12);
    expect(joined.get('a')).toBe(0);
    expect(joined.get('c')).toBe(2);
    expect(joined.get('0-first-by-id')).toBe(3);
    const left = assignColorSlots(joined, ['0-first-by-id', 'a', 'c'], 12);
    expect(assignColorSlots(left, ['0-first-by-id', 'a', 'c', 'd'], 12).get('d')).toBe(1);
  });

  it('repeats colours past the palette rather than failing', () => {
    const nodes = Array.from({ length: 30 }, (_, index) => `node-${String(index).padStart(2, '0')}`);
    const slots = assignColorSlots(new Map(), nodes, 12);
    expect(slots.size).toBe(30);
    expect([...slots.values()].every((slot) => slot >= 0 && slot < 12)).toBe(true);
    expect(new Set([...slots.values()].slice(0, 12)).size).toBe(12);
  });
});

describe('sameSlots', () => {
  it('compares node-by-node', () => {
    expect(sameSlots(new Map([['a', 1]]), new Map([['a', 1]]))).toBe(true);
    expect(sameSlots(new Map([['a', 1]]), new Map([['a', 2]]))).toBe(false);
    expect(sameSlots(new Map([['a', 1]]), new Map())).toBe(false);
  });
});
