/** The wall clock, as the `Clock` interface of core/types.ts. Timers are unref'd: they never keep a node alive. */
import type { Clock, TimerHandle } from '../core/types.js';

/** One timer's handle: a class, not an object with a closure (replication rounds start one per write). */
class NodeTimer implements TimerHandle {
  constructor(private readonly timeout: NodeJS.Timeout) {}

  cancel(): void {
    clearTimeout(this.timeout);
  }
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return new NodeTimer(timer);
  },
};
