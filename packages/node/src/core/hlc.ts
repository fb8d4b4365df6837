/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014). A reading packs wall
 * milliseconds and a logical counter into one safe integer: `ms * 2^12 + logical`. It never goes backwards,
 * stays close to wall time, and after `observe(remote)` every later reading is greater than `remote`, so a
 * write that causally follows another always gets a larger version.
 */
import type { Clock } from './types.js';

export const hlcLogicalBits = 12;
const logicalSpan = 2 ** hlcLogicalBits;

export function hlcMillis(reading: number): number {
  return Math.floor(reading / logicalSpan);
}

export function hlcLogical(reading: number): number {
  return reading % logicalSpan;
}

export function hlcFrom(ms: number, logical: number): number {
  return ms * logicalSpan + logical;
}

export class HybridLogicalClock {
  private last = 0;

  constructor(private readonly clock: Pick<Clock, 'nowMs'>) {}

  /** A new reading for a local event (a write this node coordinates). */
  now(): number {
    const physical = hlcFrom(Math.floor(this.clock.nowMs()), 0);
    // When the wall clock is behind our last reading (it stepped back, or we saw a remote reading from the
    // future), count on logically; 4096 events per millisecond overflow into the next millisecond, which
    // keeps the order and only drifts while the burst lasts.
    this.last = physical > this.last ? physical : this.last + 1;
    return this.last;
  }

  /** Merges a reading from another node so later local readings order after it. */
  observe(remote: number): void {
    if (remote > this.last) this.last = remote;
  }

  peek(): number {
    return this.last;
  }
}
