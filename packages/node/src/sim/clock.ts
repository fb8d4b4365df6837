/**
 * Virtual time for the simulator. One `SimClock` holds every pending event of a run in a binary heap
 * ordered by (time, sequence): events due at the same millisecond run in the order they were scheduled,
 * so a run is a pure function of its seed. Time moves only when `step()` runs the next event.
 *
 * Each simulated node sees the clock through a `NodeClock` view: the core's `Clock`, with an optional
 * skew on `nowMs` (timers still fire after their delay) and `cancelAll()`, which a crash uses so that a
 * dead node's timers never fire into its successor.
 */
import { limits } from '@ringkv/protocol';
import type { Clock, TimerHandle } from '../core/types.js';

/** Virtual time starts at a fixed, realistic wall-clock instant so HLC readings look like real ones. */
export const simEpochMs = Date.UTC(2026, 0, 1);

interface Event {
  atMs: number;
  sequence: number;
  callback: () => void;
  cancelled: boolean;
}

function before(a: Event, b: Event): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.sequence < b.sequence);
}

export class SimClock implements Clock {
  private heap: Event[] = [];
  private sequence = 0;
  private now = simEpochMs;
  private live = 0;

  nowMs(): number {
    return this.now;
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.now - simEpochMs;
  }

  /** Events scheduled and not yet run or cancelled. */
  pending(): number {
    return this.live;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new Error(`sim clock: bad delay ${delayMs}`);
    if (this.live >= limits.simEventsPendingMax) {
      throw new Error(`sim clock: more than ${limits.simEventsPendingMax} pending events (a runaway loop?)`);
    }
    const event: Event = { atMs: this.now + delayMs, sequence: this.sequence++, callback, cancelled: false };
    this.push(event);
    this.live++;
    return {
      cancel: () => {
        if (event.cancelled) return;
        event.cancelled = true;
        this.live--;
      },
    };
  }

  /** The time of the next live event, or undefined when none is pending. */
  nextAtMs(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.atMs;
  }

  /** Runs the next event (advancing time to it). False when nothing is pending. */
  step(): boolean {
    this.dropCancelled();
    const event = this.pop();
    if (!event) return false;
    this.now = event.atMs;
    event.cancelled = true;
    this.live--;
    event.callback();
    return true;
  }

  /** Moves time forward to `atMs` when no event is due before it (the end of a run window). */
  advanceTo(atMs: number): void {
    const next = this.nextAtMs();
    if (next !== undefined && next < atMs) throw new Error('sim clock: cannot skip a pending event');
    if (atMs > this.now) this.now = atMs;
  }

  /** A node's view: its own skew and a handle to cancel every timer it set. */
  view(skewMs = 0): NodeClock {
    return new NodeClock(this, skewMs);
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private push(event: Event): void {
    const heap = this.heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !top || !last) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
    return top;
  }
}

export class NodeClock implements Clock {
  private readonly handles = new Set<TimerHandle>();
  private stopped = false;

  constructor(
    private readonly clock: SimClock,
    readonly skewMs: number,
  ) {}

  nowMs(): number {
    return this.clock.nowMs() + this.skewMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (this.stopped) return { cancel() {} };
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

  /** Cancels every pending timer and refuses new ones: the node has crashed. */
  cancelAll(): void {
    this.stopped = true;
    for (const handle of this.handles) handle.cancel();
    this.handles.clear();
  }
}
