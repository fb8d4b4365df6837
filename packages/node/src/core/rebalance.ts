/**
 * Rebalancing: data follows the ring. On every ring change this node computes `movedRanges(before, after)`
 * and pulls the ranges it newly replicates from their previous replicas (bounded pages, `pullRange`),
 * retrying another source when one fails. A node that starts with a ring of itself alone (a new node, or
 * one restarting) treats the first full ring as "itself joining" and pulls every range it replicates.
 * When this node is decommissioned (`leaving`), it pushes each of its ranges to the replicas that take it
 * over once it is gone, in bounded batches, and then leaves the ring (`forget`). A dead node removed with
 * remove_node is re-replicated by the same pull rule: the new replicas pull from the surviving ones.
 */
import { limits, type RebalanceStatus } from '@ringkv/protocol';
import { recordBytes } from '../store/store-common.js';
import type { Placement } from './coordinator.js';
import type { IndexedStore } from './indexed-store.js';
import type { Membership } from './membership.js';
import { movedRanges, type RangeMove } from './ranges.js';
import { pullRange } from './repair-sync.js';
import type { PeerRequester } from './replica.js';
import type { Ring, TokenRange } from './ring.js';
import type { Clock, NodeId } from './types.js';

/** A node's streaming progress: the wire type of `rebalance` in /nodes and the stats topic. */
export type { RebalanceStatus };

export interface RebalanceDeps {
  self: NodeId;
  clock: Clock;
  store: IndexedStore;
  peers: PeerRequester;
  placement: Placement;
  membership: Pick<Membership, 'onEvent' | 'forget' | 'fullRing'>;
  replicationFactor: number;
  requestTimeoutMs: number;
  retryDelayMs?: number;
  /**
   * How long a node that has just joined the ring waits before it pulls: the coordinators learn of its
   * tokens meanwhile (it announces them to every member at once) and send it new writes, so no write lands
   * only on an old owner after the page holding its key was streamed. Default `joinSettleMsDefault`.
   */
  joinSettleMs?: number;
  /**
   * How long a decommissioned node, its ranges handed over, keeps forwarding (not coordinating) before it
   * announces that it leaves the ring: operations it was coordinating finish first.
   */
  leaveDrainMs?: number;
}

/** Default of `RebalanceDeps.joinSettleMs`: a few round trips, well under a protocol period. */
export const joinSettleMsDefault = 500;

/** Default of `RebalanceDeps.leaveDrainMs`. */
export const leaveDrainMsDefault = 1_000;

interface Transfer {
  range: TokenRange;
  /** pull: candidates to pull from; push: the one new owner to push to. */
  peers: NodeId[];
  attempts: number;
}

/** Attempts per transfer before it is given up (anti-entropy still repairs the range later). */
const attemptsMax = 20;

export class Rebalancer {
  readonly stats = { transfersFailed: 0, transfersDone: 0, decommissioned: false };
  private previous: Ring;
  private readonly pulls: Transfer[] = [];
  private readonly pushes: Transfer[] = [];
  private keysMoved = 0;
  private bytesMoved = 0;
  private startedMs: number | undefined;
  private activeMs = 0;
  private working = false;
  private leaving = false;
  private running = false;
  private holdUntilMs = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly idleListeners = new Set<() => void>();
  /** Other members seen leaving: when one leaves the ring it has pushed its ranges to us already. */
  private readonly leavingMembers = new Set<NodeId>();

  constructor(private readonly deps: RebalanceDeps) {
    this.previous = deps.membership.fullRing();
  }

  /** Called whenever the transfers run out (a joining node is then ready to serve its ranges). */
  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  start(): void {
    this.running = true;
    this.unsubscribe = this.deps.membership.onEvent((event) => {
      // The full ring (joining members included): data moves when a member joins it, not when it turns alive.
      if (event.type === 'ring') this.onRing(this.deps.membership.fullRing());
      if (event.type === 'member' && event.member.id === this.deps.self) {
        if (event.member.status === 'leaving' && !this.leaving) this.onLeaving();
      } else if (event.type === 'member') {
        if (event.member.status === 'leaving') this.leavingMembers.add(event.member.id);
        else this.leavingMembers.delete(event.member.id);
      }
    });
  }

  stop(): void {
    this.running = false;
    this.unsubscribe?.();
  }

  status(): RebalanceStatus {
    const elapsedMs =
      this.activeMs + (this.startedMs === undefined ? 0 : this.deps.clock.nowMs() - this.startedMs);
    const seconds = elapsedMs / 1000;
    return {
      rangesPending: this.pulls.length + this.pushes.length,
      keysMoved: this.keysMoved,
      bytesMoved: this.bytesMoved,
      keysPerSecond: seconds > 0 ? Math.round(this.keysMoved / seconds) : 0,
      bytesPerSecond: seconds > 0 ? Math.round(this.bytesMoved / seconds) : 0,
    };
  }

  /** The transfers a ring change asks of this node (exported logic for tests: see `pullsFor`). */
  private onRing(next: Ring): void {
    const { self, replicationFactor } = this.deps;
    if (next.checksum === this.previous.checksum) return;
    const joining = this.previous.size <= 1 && next.size > 1 && next.has(self);
    let before = joining ? next.removeNode(self) : this.previous;
    // A member that left after decommission pushed its ranges to their new replicas before it went:
    // pulling them again would move every record twice. (A dead node removed by remove_node was never
    // seen leaving, so its ranges are pulled from the surviving replicas.)
    for (const id of this.previous.nodes()) {
      if (!next.has(id) && this.leavingMembers.delete(id)) before = before.removeNode(id);
    }
    this.previous = next;
    if (this.leaving) return;
    if (joining) this.holdUntilMs = this.deps.clock.nowMs() + (this.deps.joinSettleMs ?? joinSettleMsDefault);
    for (const move of pullsFor(movedRanges(before, next, replicationFactor), self)) {
      this.pulls.push({ range: move, peers: move.sources.filter((id) => id !== self), attempts: 0 });
    }
    this.drain();
  }

  private onLeaving(): void {
    this.leaving = true;
    this.pulls.length = 0;
    const ring = this.deps.placement.ring();
    const moves = movedRanges(ring, ring.removeNode(this.deps.self), this.deps.replicationFactor);
    for (const move of moves) {
      if (!move.sources.includes(this.deps.self)) continue;
      for (const target of move.targets) this.pushes.push({ range: move, peers: [target], attempts: 0 });
    }
    this.drain();
  }

  /** Runs transfers one at a time until none is left; then a leaving node leaves the ring. */
  private drain(): void {
    if (this.working || !this.running) return;
    this.working = true;
    this.startedMs ??= this.deps.clock.nowMs();
    void this.work().finally(() => {
      this.working = false;
      if (this.startedMs !== undefined) this.activeMs += this.deps.clock.nowMs() - this.startedMs;
      this.startedMs = undefined;
      const idle = this.running && this.pulls.length === 0 && this.pushes.length === 0;
      const handedOver = this.leaving && idle && !this.stats.decommissioned;
      if (handedOver) this.stats.decommissioned = true;
      // Listeners first: a decommissioned node stops coordinating (it forwards) before it leaves the ring,
      // and leaves only after operations it was coordinating have had time to finish.
      if (idle) for (const listener of this.idleListeners) listener();
      if (handedOver) {
        this.deps.clock.setTimer(this.deps.leaveDrainMs ?? leaveDrainMsDefault, () => {
          if (this.running) this.deps.membership.forget(this.deps.self);
        });
      }
    });
  }

  private async work(): Promise<void> {
    const holdMs = this.holdUntilMs - this.deps.clock.nowMs();
    if (holdMs > 0) await this.sleep(holdMs);
    for (;;) {
      if (!this.running) return;
      const queue = this.pushes.length > 0 ? this.pushes : this.pulls;
      const transfer = queue[0];
      if (!transfer) return;
      try {
        if (queue === this.pushes) await this.push(transfer);
        else await this.pull(transfer);
        queue.shift();
        this.stats.transfersDone++;
      } catch {
        // This source or target failed: try again later (another source first), up to attemptsMax.
        queue.shift();
        if (++transfer.attempts < attemptsMax && transfer.peers.length > 0) queue.push(transfer);
        else this.stats.transfersFailed++;
        await this.sleep(this.deps.retryDelayMs ?? 500);
      }
    }
  }

  private async pull(transfer: Transfer): Promise<void> {
    const live = transfer.peers.filter((id) => this.deps.placement.isLive(id));
    if (live.length === 0) throw new Error('no live source for the range');
    const source = live[transfer.attempts % live.length]!;
    const pulled = await pullRange(this.deps.peers, source, transfer.range, this.deps.store, {
      timeoutMs: this.deps.requestTimeoutMs,
    });
    this.keysMoved += pulled.keysReceived;
    this.bytesMoved += pulled.bytesReceived;
  }

  private async push(transfer: Transfer): Promise<void> {
    const target = transfer.peers[0]!;
    let after: { token: number; key: string } | undefined;
    for (;;) {
      const page = this.deps.store.scan({
        ...transfer.range,
        ...(after ? { after } : {}),
        limit: limits.streamBatchRecordsMax,
        bytesMax: limits.streamBatchBytesMax,
        includeTombstones: true,
      });
      if (page.length === 0) return;
      const records = page.map(({ key, valueJson, version, writer }) => ({
        key,
        record: { valueJson, version, writer },
      }));
      await this.deps.peers.request(target, { type: 'repair-push', records }, this.deps.requestTimeoutMs);
      this.keysMoved += page.length;
      for (const record of page) this.bytesMoved += recordBytes(record.key, record);
      const last = page.at(-1)!;
      after = { token: last.token, key: last.key };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.clock.setTimer(ms, resolve));
  }
}

/** The moves this node must pull: ranges where it is a new replica. */
export function pullsFor(moves: readonly RangeMove[], self: NodeId): RangeMove[] {
  return moves.filter((move) => move.targets.includes(self));
}
