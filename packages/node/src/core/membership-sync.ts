/**
 * What a node tells a peer besides single facts: every probe message carries our state checksum and a
 * few piggybacked facts from the dissemination queue, and when the checksums still differ although
 * neither side has anything left to gossip, a full-state push-pull sync repairs what was lost.
 */
import { limits, type MembershipMessage, type MemberUpdate } from '@ringkv/protocol';
import type { Dissemination } from './dissemination.js';
import { factOf, type MemberTable } from './member-table.js';
import type { MembershipConfig } from './membership-config.js';
import type { ProbeMessage } from './probe.js';
import type { Clock, NodeId } from './types.js';

export interface StateSyncDeps {
  clock: Pick<Clock, 'nowMs'>;
  config: Pick<MembershipConfig, 'syncIntervalMs'>;
  table: MemberTable;
  queue: Pick<Dissemination, 'hasFor' | 'take'>;
  send: (to: NodeId, message: MembershipMessage) => void;
}

export class StateSync {
  /** When we last started a sync with each peer (bounded by `limits.clusterNodesMax` entries). */
  private readonly lastSyncMs = new Map<NodeId, number>();

  constructor(private readonly deps: StateSyncDeps) {}

  /**
   * Gossip converges on its own while facts are in flight. When neither side has anything left to say
   * and the checksums still differ, some fact was lost (or forgotten by a full queue): push-pull the full
   * state, at most once per `syncIntervalMs` per peer. Returns whether a sync was started. The caller
   * decides whether this node syncs at all (it must be running and past its seeds).
   */
  maybeSync(from: NodeId, message: { checksum: string; updates: readonly MemberUpdate[] }): boolean {
    const { table, queue } = this.deps;
    if (message.updates.length > 0 || !table.get(from) || queue.hasFor(from)) return false;
    if (message.checksum === table.checksum()) return false;
    const nowMs = this.deps.clock.nowMs();
    const lastMs = this.lastSyncMs.get(from);
    if (lastMs !== undefined && nowMs - lastMs < this.deps.config.syncIntervalMs) return false;
    // Forgetting every peer's time at once only allows one early sync each; it keeps the map bounded.
    if (this.lastSyncMs.size >= limits.clusterNodesMax) this.lastSyncMs.clear();
    this.lastSyncMs.set(from, nowMs);
    this.sendSync(from, true);
    return true;
  }

  /** Our full state; `reply` asks the peer to answer with its own (push-pull). */
  sendSync(to: NodeId, reply: boolean): void {
    const { table } = this.deps;
    this.deps.send(to, { type: 'sync', reply, members: table.fullState(), checksum: table.checksum() });
  }

  /**
   * Adds our checksum and piggybacked facts. A ping to a member we hold suspect always carries that
   * suspicion (Lifeguard's "buddy system"), so the member can refute at once instead of waiting for
   * the rumour to reach it.
   */
  sendProbe(to: NodeId, message: ProbeMessage): void {
    const { table } = this.deps;
    const target = table.get(to);
    const buddy = message.type === 'ping' && target?.status === 'suspect';
    const max = limits.membershipUpdatesPerMessageMax - (buddy ? 1 : 0);
    const updates = this.deps.queue.take(to, table.size, max);
    if (buddy && !updates.some((update) => update.id === to)) updates.unshift(factOf(target));
    this.deps.send(to, { ...message, checksum: table.checksum(), updates });
  }
}
