import { describe, expect, it } from 'vitest';
import { KeyLanes } from './key-lanes.js';

describe('KeyLanes', () => {
  it('runs tasks of one key in arrival order, even when one fails, and forgets idle keys', async () => {
    const lanes = new KeyLanes();
    const order: string[] = [];
    const slow = lanes.run('a', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('a1');
      throw new Error('a1 failed');
    });
    const next = lanes.run('a', async () => order.push('a2'));
    const other = lanes.run('b', async () => order.push('b1'));
    await expect(slow).rejects.toThrow('a1 failed');
    await Promise.all([next, other]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lanes.pendingKeys).toBe(0);
  });
});
