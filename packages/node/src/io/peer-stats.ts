/**
 * What each member stores and serves, for `nodes` and the `stats` topic: once per interval this node
 * samples itself and asks every live peer for its figures (a `stats` request). Answers are cached; a peer
 * that does not answer keeps its last figures until it does, and members that left are not reported.
 */
import type { NodeStats, RebalanceStatus, StatsReply } from '@ringkv/protocol';
import type { Membership } from '../core/membership.js';
import type { Clock, NodeId, TimerHandle } from '../core/types.js';
import type { PeerTransport } from './peer-transport.js';

export interface PeerStatsDeps {
  self: NodeId;
  clock: Clock;
  transport: Pick<PeerTransport, 'request' | 'isUnreachable'>;
  membership: Pick<Membership, 'members' | 'isLive'>;
  localCounts: () => { keys: number; bytes: number };
  /** Per-operation figures since the previous call; called once per interval only. */
  sampleOps: () => NodeStats['ops'];
  forwarded: () => number;
  /** This node's streaming progress (core/rebalance.ts), reported with its figures. */
  rebalance?: () => RebalanceStatus;
  intervalMs: number;
}

export class PeerStatsPoller {
  private readonly peers = new Map<NodeId, NodeStats>();
  private selfOps: NodeStats['ops'] = {};
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly deps: PeerStatsDeps) {}

  start(): void {
    this.running = true;
    // A first sample now, so figures published before the first poll list every op (at zero), never `{}`.
    this.selfOps = this.deps.sampleOps();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }

  /** Store counts of `id`: fresh for this node, the last answer for a peer. */
  of(id: NodeId): { keys: number; bytes: number; rebalance?: RebalanceStatus } | undefined {
    if (id !== this.deps.self) return this.peers.get(id);
    return { ...this.deps.localCounts(), ...this.rebalance() };
  }

  private rebalance(): { rebalance?: RebalanceStatus } {
    return this.deps.rebalance ? { rebalance: this.deps.rebalance() } : {};
  }

  /** This node's figures, as a peer's `stats` request is answered. */
  reply(): StatsReply {
    return {
      type: 'stats-reply',
      ...this.deps.localCounts(),
      ops: this.selfOps,
      forwarded: this.deps.forwarded(),
      ...this.rebalance(),
    };
  }

  /** Every current member's latest figures, this node first. */
  all(): NodeStats[] {
    const self: NodeStats = {
      node: this.deps.self,
      at: this.deps.clock.nowMs(),
      ...this.deps.localCounts(),
      ops: this.selfOps,
      forwarded: this.deps.forwarded(),
      ...this.rebalance(),
    };
    const members = this.deps.membership.members().map((member) => member.id);
    return [self, ...members.flatMap((id) => (id === this.deps.self ? [] : (this.peers.get(id) ?? [])))];
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(this.deps.intervalMs, () => {
      this.poll();
      this.schedule();
    });
  }

  private poll(): void {
    this.selfOps = this.deps.sampleOps();
    for (const member of this.deps.membership.members()) {
      const id = member.id;
      if (
        id === this.deps.self ||
        !this.deps.membership.isLive(id) ||
        this.deps.transport.isUnreachable(id)
      ) {
        continue;
      }
      this.deps.transport.request(id, { type: 'stats' }, this.deps.intervalMs).then(
        (reply) => {
          this.peers.set(id, {
            node: id,
            at: this.deps.clock.nowMs(),
            keys: reply.keys,
            bytes: reply.bytes,
            ops: reply.ops ?? {},
            forwarded: reply.forwarded ?? 0,
            ...(reply.rebalance ? { rebalance: reply.rebalance } : {}),
          });
        },
        () => {
          // No answer this round: keep the last figures; the member's status tells whether it is down.
        },
      );
    }
  }
}
