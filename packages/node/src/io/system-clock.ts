/** The wall clock, as the `Clock` interface of core/types.ts. Timers are unref'd: they never keep a node alive. */
import type { Clock, TimerHandle } from '../core/types.js';

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
