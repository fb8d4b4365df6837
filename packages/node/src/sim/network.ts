/**
 * The simulated network, after TigerBeetle's packet simulator: every path (from, to) holds its packets in
 * a bounded queue ordered by delivery time; a packet is delayed, dropped, duplicated or held back
 * (reordered) by chances drawn from the run's seed, paths are cut by partitions, and packets to a crashed
 * node are lost. Payloads are `unknown` and cross the network as JSON text, as on the real wire, so a node
 * never shares an object with another and must decode what it receives.
 */
import { limits } from '@ringkv/protocol';
import type { NodeId } from '../core/types.js';
import type { SimClock } from './clock.js';
import type { Prng } from './prng.js';

export interface FaultRates {
  /** Chance that a packet is lost. */
  dropRate: number;
  /** Chance that a packet is delivered twice (each copy with its own delay). */
  duplicateRate: number;
  /** One-way delay, drawn uniformly. */
  delayMsMin: number;
  delayMsMax: number;
  /** Chance that a packet is held back by up to `reorderDelayMsMax` more, so later packets overtake it. */
  reorderRate: number;
  reorderDelayMsMax: number;
}

export const perfectNetwork: FaultRates = {
  dropRate: 0,
  duplicateRate: 0,
  delayMsMin: 1,
  delayMsMax: 1,
  reorderRate: 0,
  reorderDelayMsMax: 0,
};

/** Swarm testing: each seed picks its own world, from a clean LAN to a lossy, slow, reordering one. */
export function drawFaultRates(random: Prng): FaultRates {
  const delayMsMin = random.between(1, 20);
  return {
    dropRate: random.chance(0.2) ? 0 : random.next() * 0.2,
    duplicateRate: random.chance(0.3) ? 0 : random.next() * 0.1,
    delayMsMin,
    delayMsMax: delayMsMin + random.between(0, 150),
    reorderRate: random.chance(0.3) ? 0 : random.next() * 0.2,
    reorderDelayMsMax: random.between(0, 300),
  };
}

/** What the liveness phase keeps: delays, but no loss, duplication, reordering or partitions. */
export function healedRates(rates: FaultRates): FaultRates {
  return { ...rates, dropRate: 0, duplicateRate: 0, reorderRate: 0 };
}

export type MessageHandler = (from: NodeId, message: unknown) => void;

export interface Endpoint {
  readonly id: NodeId;
  /** Fire and forget, like a datagram: the packet may be delayed, lost or duplicated. */
  send(to: NodeId, message: unknown): void;
  onMessage(handler: MessageHandler): void;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  partitioned: number;
  overflowed: number;
  undeliverable: number;
}

interface Packet {
  atMs: number;
  sequence: number;
  text: string;
}

class SimEndpoint implements Endpoint {
  handler: MessageHandler | undefined;
  closed = false;

  constructor(
    readonly id: NodeId,
    private readonly network: SimNetwork,
  ) {}

  send(to: NodeId, message: unknown): void {
    if (!this.closed) this.network.transmit(this.id, to, message);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }
}

export class SimNetwork {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    partitioned: 0,
    overflowed: 0,
    undeliverable: 0,
  };
  private readonly endpoints = new Map<NodeId, SimEndpoint>();
  private readonly paths = new Map<string, Packet[]>();
  private groups = new Map<NodeId, number>();
  private sequence = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly random: Prng,
    public faults: FaultRates = perfectNetwork,
  ) {}

  /** The endpoint of node `id`; a new call (a restart) closes the previous one, which then sends nothing. */
  endpoint(id: NodeId): Endpoint {
    this.close(id);
    const endpoint = new SimEndpoint(id, this);
    this.endpoints.set(id, endpoint);
    return endpoint;
  }

  /** The node crashed: its endpoint sends nothing more and packets to it are lost. */
  close(id: NodeId): void {
    const previous = this.endpoints.get(id);
    if (previous) previous.closed = true;
    this.endpoints.delete(id);
  }

  /** Nodes in different groups cannot reach each other; nodes in no group form one more group. */
  partition(groups: NodeId[][]): void {
    this.groups = new Map();
    groups.forEach((group, index) => {
      for (const id of group) this.groups.set(id, index);
    });
  }

  heal(): void {
    this.groups = new Map();
  }

  connected(a: NodeId, b: NodeId): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  /** Called by endpoints. */
  transmit(from: NodeId, to: NodeId, message: unknown): void {
    this.stats.sent++;
    if (!this.connected(from, to)) {
      this.stats.partitioned++;
      return;
    }
    if (this.random.chance(this.faults.dropRate)) {
      this.stats.dropped++;
      return;
    }
    const text = JSON.stringify(message);
    this.enqueue(from, to, text);
    if (this.random.chance(this.faults.duplicateRate)) {
      this.stats.duplicated++;
      this.enqueue(from, to, text);
    }
  }

  private enqueue(from: NodeId, to: NodeId, text: string): void {
    const key = `${from}\n${to}`;
    let queue = this.paths.get(key);
    if (!queue) {
      queue = [];
      this.paths.set(key, queue);
    }
    if (queue.length >= limits.simPathPacketsMax) {
      // A full path loses a random packet, not always the newest: a congested link is not a FIFO.
      queue.splice(this.random.int(queue.length), 1);
      this.stats.overflowed++;
    }
    const { delayMsMin, delayMsMax, reorderRate, reorderDelayMsMax } = this.faults;
    let delayMs = this.random.between(delayMsMin, Math.max(delayMsMin, delayMsMax));
    if (reorderDelayMsMax > 0 && this.random.chance(reorderRate)) {
      delayMs += this.random.between(1, reorderDelayMsMax);
    }
    const packet: Packet = { atMs: this.clock.nowMs() + delayMs, sequence: this.sequence++, text };
    insertSorted(queue, packet);
    this.clock.setTimer(delayMs, () => this.deliverDue(from, to, queue));
  }

  /** One timer per packet; each delivers the earliest due packet of its path (if any is left). */
  private deliverDue(from: NodeId, to: NodeId, queue: Packet[]): void {
    const packet = queue[0];
    if (!packet || packet.atMs > this.clock.nowMs()) return;
    queue.shift();
    const endpoint = this.endpoints.get(to);
    if (!endpoint?.handler) {
      this.stats.undeliverable++;
      return;
    }
    if (!this.connected(from, to)) {
      this.stats.partitioned++;
      return;
    }
    this.stats.delivered++;
    endpoint.handler(from, JSON.parse(packet.text));
  }
}

function insertSorted(queue: Packet[], packet: Packet): void {
  let index = queue.length;
  while (index > 0) {
    const previous = queue[index - 1]!;
    if (previous.atMs < packet.atMs || (previous.atMs === packet.atMs && previous.sequence < packet.sequence))
      break;
    index--;
  }
  queue.splice(index, 0, packet);
}
