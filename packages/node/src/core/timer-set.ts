/** Timers owned by one component, so stopping it cancels all of them at once. */
import type { Clock, TimerHandle } from './types.js';

export class TimerSet {
  private readonly handles = new Set<TimerHandle>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.handles.size;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const handle = this.clock.setTimer(delayMs, () => {
      this.handles.delete(handle);
      callback();
    });
    this.handles.add(handle);
    return {
      cancel: () => {
        this.handles.delete(handle);
        handle.cancel();
      },
    };
  }

  cancelAll(): void {
    for (const handle of this.handles) handle.cancel();
    this.handles.clear();
  }
}
