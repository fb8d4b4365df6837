import { describe, expect, it } from 'vitest';
import type { Pending } from './pending.js';
import { SlotQueue } from './slot-queue.js';

function entry(id: number, deadlineMs: number): Pending {
  const noop = () => {};
  return {
    id,
    text: '',
    sent: false,
    deadlineMs,
    resolve: noop,
    reject: noop,
    sink: undefined,
    slot: 0,
    waiting: false,
    read: true,
  };
}

describe('SlotQueue', () => {
  it('lets waiters in oldest first, up to its bound, and skips those that expired', () => {
    const queue = new SlotQueue(3);
    const [a, b, c, d] = [entry(1, 500), entry(2, 100), entry(3, 300), entry(4, 50)];
    expect([queue.push(a), queue.push(b), queue.push(c), queue.push(d)]).toEqual([true, true, true, false]);
    expect(queue.size).toBe(3);
    const expired: number[] = [];
    // Deadlines out of queue order: the second waiter expires first, and the earliest left is named.
    expect(queue.expire(200, (waiter) => expired.push(waiter.id))).toBe(300);
    expect(expired).toEqual([2]);
    expect(queue.size).toBe(2);
    expect(b.waiting).toBe(false);
    // Its place is free again for a new caller.
    expect(queue.push(d)).toBe(true);
    expect([queue.next()?.id, queue.next()?.id, queue.next()?.id, queue.next()]).toEqual([
      1,
      3,
      4,
      undefined,
    ]);
    expect(queue.size).toBe(0);
    expect(queue.expire(1_000, () => expired.push(-1))).toBe(Number.POSITIVE_INFINITY);
    expect(expired).toEqual([2]);
  });

  it('drops timed-out waiters from the queue once they far outnumber the live ones', () => {
    const queue = new SlotQueue(5_000);
    for (let id = 0; id < 3_000; id++) queue.push(entry(id, id < 2_999 ? 10 : 1_000));
    let expired = 0;
    expect(queue.expire(20, () => expired++)).toBe(1_000);
    expect(expired).toBe(2_999);
    expect(queue.size).toBe(1);
    expect(queue.next()?.id).toBe(2_999);
  });
});
