import { describe, expect, it } from 'vitest';
import { KeyLanes, ReportedKeyLanes } from './key-lanes.js';

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

describe('ReportedKeyLanes', () => {
  it('starts a task on an idle key at once and queues the next behind it, even when it fails', async () => {
    const lanes = new ReportedKeyLanes();
    const order: string[] = [];
    let finishFirst: (() => void) | undefined;
    const first = lanes.run('a', async () => {
      order.push('a1 start');
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      order.push('a1 end');
      throw new Error('a1 failed');
    });
    // An idle key's task started synchronously, inside run.
    expect(order).toEqual(['a1 start']);
    expect(lanes.has('a')).toBe(true);
    const second = lanes.run('a', async () => order.push('a2'));
    const other = lanes.run('b', async () => order.push('b1'));
    expect(order).toEqual(['a1 start', 'b1']);
    finishFirst!();
    await expect(first).rejects.toThrow('a1 failed');
    lanes.done('a');
    expect(lanes.has('a')).toBe(true);
    await second;
    lanes.done('a');
    await other;
    lanes.done('b');
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(lanes.has('a')).toBe(false);
    expect(lanes.pendingKeys).toBe(0);
  });

  it('refuses a done without a run', () => {
    expect(() => new ReportedKeyLanes().done('x')).toThrow('without a run');
  });
});
