/**
 * Callers waiting for one of a connection's request slots (`inflightMax` are in flight), oldest first.
 * A waiter is the request itself (`Pending`, flagged `waiting`), with no timer or closure of its own: a
 * client that falls behind queues many, and per-waiter timers and closures made it fall further behind.
 * The connection's one deadline timer expires them (`expire`). A waiter that timed out stays in the queue
 * until its turn comes, and is skipped then; the live ones are counted apart.
 */
import { Fifo } from './fifo.js';
import type { Pending } from './pending.js';

export class SlotQueue {
  private readonly queue = new Fifo<Pending>();
  private live = 0;

  constructor(private readonly max: number) {}

  /** Callers still waiting (those that timed out not counted). */
  get size(): number {
    return this.live;
  }

  /** Queues `entry`; false when `max` callers wait already. */
  push(entry: Pending): boolean {
    if (this.live >= this.max) return false;
    entry.waiting = true;
    this.live++;
    this.queue.push(entry);
    return true;
  }

  /** The oldest caller still waiting, taken off the queue; undefined when none waits. */
  next(): Pending | undefined {
    for (let entry = this.queue.shift(); entry; entry = this.queue.shift()) {
      if (this.leave(entry)) return entry;
    }
    return undefined;
  }

  /**
   * Takes every waiter whose deadline is at or before `nowMs` off the queue and hands it to `expired`;
   * returns the earliest deadline of those left (Infinity when none). Bounded by `max` live waiters, plus
   * timed-out ones, which are dropped here once they outnumber the live ones.
   */
  expire(nowMs: number, expired: (entry: Pending) => void): number {
    let nextMs = Number.POSITIVE_INFINITY;
    this.queue.forEach((entry) => {
      if (!entry.waiting) return;
      if (entry.deadlineMs > nowMs) {
        nextMs = Math.min(nextMs, entry.deadlineMs);
        return;
      }
      this.leave(entry);
      expired(entry);
    });
    if (this.queue.size > 2 * this.live + 1024) this.queue.retain((entry) => entry.waiting);
    return nextMs;
  }

  /** Marks `entry` as no longer waiting; false when it had left already (timed out). */
  private leave(entry: Pending): boolean {
    if (!entry.waiting) return false;
    entry.waiting = false;
    this.live--;
    return true;
  }
}
