import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

function contents<T>(fifo: Fifo<T>): T[] {
  const items: T[] = [];
  fifo.forEach((item) => {
    items.push(item);
  });
  return items;
}

describe('Fifo', () => {
  it('shifts in push order and visits what is left, oldest first, across its compaction', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 3000; i++) fifo.push(i);
    for (let i = 0; i < 2000; i++) expect(fifo.shift()).toBe(i);
    expect(fifo.size).toBe(1000);
    expect(contents(fifo)).toEqual(Array.from({ length: 1000 }, (_, i) => 2000 + i));
    fifo.push(3000);
    expect(fifo.shift()).toBe(2000);
    expect(contents(fifo).at(-1)).toBe(3000);
  });

  it('retains the items a predicate keeps, in order, and shifts on from them', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 10; i++) fifo.push(i);
    fifo.shift();
    fifo.retain((item) => item % 3 !== 0);
    expect(fifo.size).toBe(6);
    expect(contents(fifo)).toEqual([1, 2, 4, 5, 7, 8]);
    expect(fifo.shift()).toBe(1);
    fifo.push(10);
    expect(contents(fifo)).toEqual([2, 4, 5, 7, 8, 10]);
    fifo.retain(() => false);
    expect(fifo.size).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
