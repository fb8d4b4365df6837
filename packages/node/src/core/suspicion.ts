/**
 * Suspicion timeouts (SWIM's suspicion mechanism). Every node that learns a member is suspect at some
 * incarnation starts its own timer; if the member has not refuted (announced a higher incarnation) when
 * it fires, this node declares it dead at that incarnation. Local timers, rather than one node deciding,
 * mean a dead node is declared dead even if the node that first suspected it crashes too.
 */
import type { TimerSet } from './timer-set.js';
import type { NodeId, TimerHandle } from './types.js';

export class SuspicionTimers {
  private readonly pending = new Map<NodeId, { incarnation: number; handle: TimerHandle }>();

  constructor(
    private readonly timers: TimerSet,
    private readonly timeoutMs: number,
    private readonly onExpired: (id: NodeId, incarnation: number) => void,
  ) {}

  /** Starts (or keeps) the timer for `id` suspected at `incarnation`. */
  suspect(id: NodeId, incarnation: number): void {
    const current = this.pending.get(id);
    if (current?.incarnation === incarnation) return;
    current?.handle.cancel();
    const handle = this.timers.schedule(this.timeoutMs, () => {
      this.pending.delete(id);
      this.onExpired(id, incarnation);
    });
    this.pending.set(id, { incarnation, handle });
  }

  /** The member is no longer suspect (refuted, dead, or removed). */
  clear(id: NodeId): void {
    this.pending.get(id)?.handle.cancel();
    this.pending.delete(id);
  }

  has(id: NodeId): boolean {
    return this.pending.has(id);
  }
}
