/**
 * The piggyback queue of SWIM's dissemination component. Each membership fact waits here until it has
 * been sent `factor x ceil(log10(n + 1))` times (ringpop's bound: enough for an epidemic to reach every one
 * of n members with high probability), riding on pings, acks and ping-reqs. One entry per member id: a
 * newer fact about a member replaces the older one, which is then worthless. The queue is bounded; when
 * it is full the entry closest to done (most transmissions) is dropped and counted; a node that misses a
 * fact catches up through the full-state sync that differing checksums trigger.
 */
import type { MemberUpdate } from '@ringkv/protocol';
import type { NodeId } from './types.js';

interface Entry {
  update: MemberUpdate;
  transmissions: number;
  /** The node that told us: it already knows, so we do not send the fact back to it. */
  source: NodeId | undefined;
  sequence: number;
}

export class Dissemination {
  /** Facts dropped because the queue was full. */
  dropped = 0;
  private readonly entries = new Map<NodeId, Entry>();
  private sequence = 0;

  constructor(
    private readonly capacity: number,
    private readonly factor: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Transmissions each fact gets in a cluster of `members` nodes. */
  transmissionsFor(members: number): number {
    return this.factor * Math.max(1, Math.ceil(Math.log10(members + 1)));
  }

  enqueue(update: MemberUpdate, source?: NodeId): void {
    this.entries.delete(update.id);
    if (this.entries.size >= this.capacity) this.evictMostSent();
    this.entries.set(update.id, { update, transmissions: 0, source, sequence: this.sequence++ });
  }

  /** True when at least one fact would be sent to `to`. */
  hasFor(to: NodeId): boolean {
    for (const entry of this.entries.values()) if (entry.source !== to) return true;
    return false;
  }

  /**
   * Up to `max` facts for a message to `to`, least-sent first (fresh news travels first), counting the
   * transmission. Facts about `to` itself are sent too: that is how a node learns it is suspected.
   */
  take(to: NodeId, members: number, max: number): MemberUpdate[] {
    const limit = this.transmissionsFor(members);
    const candidates: Entry[] = [];
    for (const entry of this.entries.values()) if (entry.source !== to) candidates.push(entry);
    candidates.sort((a, b) => a.transmissions - b.transmissions || a.sequence - b.sequence);
    const chosen = candidates.slice(0, max);
    for (const entry of chosen) {
      entry.transmissions++;
      if (entry.transmissions >= limit) this.entries.delete(entry.update.id);
    }
    return chosen.map((entry) => entry.update);
  }

  clear(): void {
    this.entries.clear();
  }

  private evictMostSent(): void {
    let victim: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (!victim || entry.transmissions > victim.transmissions) victim = entry;
    }
    if (victim) {
      this.entries.delete(victim.update.id);
      this.dropped++;
    }
  }
}
