/**
 * SWIM's failure detector: each protocol period probe one member, chosen round robin over a shuffled list
 * (so every member is probed within two rounds, unlike a uniform random pick); when no ack comes within
 * `pingTimeoutMs`, ask k peers to probe it for us (ping-req) and relay its ack; when none arrives by the
 * end of the probe, report the failure (the caller then suspects the member). The prober also serves
 * other nodes' ping-reqs. It sends bare messages; the caller adds its checksum and piggybacked facts.
 */
import { limits } from '@ringkv/protocol';
import type { MembershipConfig } from './membership-config.js';
import type { TimerSet } from './timer-set.js';
import type { NodeId, Random } from './types.js';

export type ProbeMessage =
  | { type: 'ping'; seq: number }
  | { type: 'ping-req'; seq: number; target: NodeId }
  | { type: 'ack'; seq: number };

export interface ProberDeps {
  timers: TimerSet;
  random: Random;
  config: MembershipConfig;
  send(to: NodeId, message: ProbeMessage): void;
  /** Members to probe: everyone but this node and the dead. */
  targets(): NodeId[];
  /** Members that may probe `target` for us: alive, not this node, not the target. */
  helpers(target: NodeId): NodeId[];
  /** Neither a direct nor an indirect ack from `target` arrived in time. */
  failed(target: NodeId): void;
}

type Pending =
  | { kind: 'own'; target: NodeId; acked: boolean }
  | { kind: 'relay'; requester: NodeId; requesterSeq: number };

export class Prober {
  private order: NodeId[] = [];
  private readonly ordered = new Set<NodeId>();
  private index = 0;
  private sequence = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly deps: ProberDeps) {}

  /** Starts this period's probe of the next member in the round. */
  probeNext(): void {
    const target = this.nextTarget(new Set(this.deps.targets()));
    if (target !== undefined) this.probe(target);
  }

  /** A ping outside the round (to a dead member, to find out whether it is back); no failure follows. */
  ping(target: NodeId): void {
    this.deps.send(target, { type: 'ping', seq: this.sequence++ });
  }

  probe(target: NodeId): void {
    if (this.pending.size >= limits.membershipProbesPendingMax) return;
    const { config, timers } = this.deps;
    const seq = this.sequence++;
    const probe: Pending = { kind: 'own', target, acked: false };
    this.pending.set(seq, probe);
    this.deps.send(target, { type: 'ping', seq });
    timers.schedule(config.pingTimeoutMs, () => {
      if (probe.acked) return;
      const helpers = pickRandom(this.deps.helpers(target), config.indirectPingCount, this.deps.random);
      for (const helper of helpers) this.deps.send(helper, { type: 'ping-req', seq, target });
      // A second direct ping alongside (memberlist's fallback probe): a single lost packet is the
      // commonest reason for a missing ack, and it costs one message.
      this.deps.send(target, { type: 'ping', seq });
    });
    timers.schedule(config.pingTimeoutMs + config.indirectPingTimeoutMs, () => {
      this.pending.delete(seq);
      if (!probe.acked) this.deps.failed(target);
    });
  }

  /** An ack arrived. For a relayed probe, returns where to forward it (with the requester's seq). */
  onAck(seq: number): { to: NodeId; seq: number } | undefined {
    const entry = this.pending.get(seq);
    if (!entry) return undefined;
    if (entry.kind === 'own') {
      entry.acked = true;
      return undefined;
    }
    this.pending.delete(seq);
    return { to: entry.requester, seq: entry.requesterSeq };
  }

  /** Another node asks us to probe `target` for it. */
  onPingReq(requester: NodeId, requesterSeq: number, target: NodeId): void {
    if (this.pending.size >= limits.membershipProbesPendingMax) return;
    const seq = this.sequence++;
    this.pending.set(seq, { kind: 'relay', requester, requesterSeq });
    this.deps.send(target, { type: 'ping', seq });
    const { pingTimeoutMs, indirectPingTimeoutMs } = this.deps.config;
    this.deps.timers.schedule(pingTimeoutMs + indirectPingTimeoutMs, () => this.pending.delete(seq));
  }

  clear(): void {
    this.pending.clear();
  }

  /** Round robin over a shuffled list; newcomers are inserted at a random place in the rest of the round. */
  private nextTarget(valid: Set<NodeId>): NodeId | undefined {
    if (valid.size === 0) return undefined;
    for (const id of valid) {
      if (this.ordered.has(id)) continue;
      const at = this.index + this.deps.random.int(this.order.length - this.index + 1);
      this.order.splice(at, 0, id);
      this.ordered.add(id);
    }
    while (this.index < this.order.length) {
      const id = this.order[this.index++]!;
      if (valid.has(id)) return id;
    }
    this.order = shuffle([...valid].sort(), this.deps.random);
    this.ordered.clear();
    for (const id of this.order) this.ordered.add(id);
    this.index = 1;
    return this.order[0];
  }
}

export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function pickRandom<T>(items: T[], count: number, random: Random): T[] {
  return shuffle(items, random).slice(0, count);
}
