/**
 * A full simulated node: the real `Membership` and the real data plane (`DataNode`: coordinator, quorums,
 * hints, forwarding) over a `MemoryStore` that survives crashes, talking through the simulated network in
 * the same envelopes as the peer transport (`PeerEnvelope`, zod-validated on receipt). Requests carry ids
 * and time out on the node's virtual clock, as in io/peer-requests.ts.
 */
import {
  PeerEnvelope,
  type PeerReply,
  type PeerReplyByRequest,
  type PeerRequest,
  RingKvError,
} from '@ringkv/protocol';
import { HybridLogicalClock } from '../core/hlc.js';
import { Membership, type MembershipConfig } from '../core/membership.js';
import { RepairPlane, type RepairPlaneDeps } from '../core/repair-plane.js';
import { DataNode, type PeerRequester, worthSendingTo } from '../core/replica.js';
import { defaultTokens } from '../core/ring.js';
import type { NodeId, TimerHandle } from '../core/types.js';
import { MemoryStore } from '../store/memory-store.js';
import type { SimNodeContext, SimNodeFactory } from './harness.js';

export interface ReplicationSimConfig {
  replicationFactor: number;
  readQuorum: number;
  writeQuorum: number;
  replicaTimeoutMs: number;
  membership: Partial<MembershipConfig>;
  readRepair?: boolean;
  hints?: boolean;
  /** Runs anti-entropy (core/repair-plane.ts) with these settings; absent, the node runs none. */
  antiEntropy?: RepairPlaneDeps['antiEntropy'];
  /** Storage reclamation (core/sweeper.ts) with these settings, alongside anti-entropy; absent, none. */
  reclamation?: RepairPlaneDeps['reclamation'];
}

export const replicationSimDefaults: ReplicationSimConfig = {
  replicationFactor: 3,
  readQuorum: 2,
  writeQuorum: 2,
  replicaTimeoutMs: 1_000,
  membership: { vnodes: 8 },
};

/** Requests a simulated node remembers having received, to drop the network's duplicates. */
const requestsRememberedMax = 10_000;

interface Pending {
  to: NodeId;
  resolve: (reply: PeerReply) => void;
  reject: (error: RingKvError) => void;
  timer: TimerHandle;
}

/**
 * Request/reply over the simulated network: one id per request, a timeout on every one. Ids start at a
 * random base per incarnation, so a restarted node's requests are not taken for its old ones' duplicates.
 */
class SimPeers implements PeerRequester {
  private nextId: number;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly context: SimNodeContext) {
    this.nextId = context.random.fork('request-ids').between(1, 1_000_000) * 1_000_000;
  }

  request<T extends PeerRequest>(
    to: NodeId,
    request: T,
    timeoutMs = 1_000,
  ): Promise<PeerReplyByRequest[T['type']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.context.clock.setTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(new RingKvError('TIMEOUT', `${to} did not answer ${request.type} in ${timeoutMs} ms`));
      });
      this.pending.set(id, { to, resolve: resolve as (reply: PeerReply) => void, reject, timer });
      this.context.endpoint.send(to, { k: 'req', id, body: request });
    });
  }

  settle(from: NodeId, id: number, outcome: { reply: PeerReply } | { error: RingKvError }): void {
    const entry = this.pending.get(id);
    if (!entry || entry.to !== from) return; // a duplicate or a late reply
    this.pending.delete(id);
    entry.timer.cancel();
    if ('reply' in outcome) entry.resolve(outcome.reply);
    else entry.reject(outcome.error);
  }
}

export class ReplicationSimNode {
  readonly membership: Membership;
  readonly data: DataNode;
  readonly store: MemoryStore;
  readonly repair: RepairPlane | undefined;
  private readonly peers: SimPeers;
  private crashed = false;
  private readonly requestsSeen = new Set<string>();

  constructor(
    private readonly context: SimNodeContext,
    seeds: NodeId[],
    config: ReplicationSimConfig,
  ) {
    this.store = context.durable('store', () => new MemoryStore());
    this.peers = new SimPeers(context);
    const vnodes = config.membership.vnodes ?? 8;
    this.membership = new Membership({
      self: context.id,
      clock: context.clock,
      random: context.random,
      send: (to, message) => context.endpoint.send(to, { k: 'msg', body: message }),
      tokens: defaultTokens(context.id, vnodes),
      config: config.membership,
    });
    const placement = {
      ring: () => this.membership.ring(),
      isLive: (id: NodeId) => worthSendingTo(this.membership, id),
    };
    this.repair = config.antiEntropy
      ? new RepairPlane({
          self: context.id,
          clock: context.clock,
          random: context.random.fork('repair'),
          store: this.store,
          peers: this.peers,
          placement,
          replicationFactor: config.replicationFactor,
          antiEntropy: config.antiEntropy,
          reclamation: config.reclamation ?? false,
          selfStatus: () => this.membership.member(context.id)?.status,
          ready: () => !this.membership.awaitingSeed(),
        })
      : undefined;
    this.data = new DataNode({
      self: context.id,
      clock: context.clock,
      hlc: new HybridLogicalClock(context.clock),
      store: this.repair?.store ?? this.store,
      peers: this.peers,
      placement,
      config,
      ready: () => this.membership.member(context.id)?.status !== 'joining',
    });
    context.endpoint.onMessage((from, raw) => this.receive(from, raw));
    this.membership.onEvent((event) => {
      if (event.type === 'member' && this.membership.isLive(event.member.id)) {
        this.data.handoff.nudge(event.member.id);
      }
    });
    this.membership.start(seeds);
    this.data.start();
    this.repair?.start();
  }

  onCrash(): void {
    this.crashed = true;
    this.membership.stop();
    this.data.stop();
    this.repair?.stop();
  }

  private receive(from: NodeId, raw: unknown): void {
    if (this.crashed) return;
    const parsed = PeerEnvelope.safeParse(raw);
    // In the simulator every sender is our own code: a message that does not decode is a bug.
    if (!parsed.success) throw new Error(`${this.context.id} got an invalid envelope from ${from}`);
    const envelope = parsed.data;
    switch (envelope.k) {
      case 'msg':
        this.membership.onMessage(from, envelope.body);
        return;
      case 'req':
        // The real peer transport is a WebSocket: a request reaches its handler at most once, however
        // often the network duplicates its packet (a duplicated forward would run a client's operation
        // twice, which the real node never does). Replies may still come twice and are matched by id.
        if (this.seenBefore(from, envelope.id)) return;
        (async () => this.repair?.serve(envelope.body) ?? this.data.handle(from, envelope.body))().then(
          (body) => this.reply(from, { k: 'ok', id: envelope.id, body }),
          (error: unknown) => {
            if (!(error instanceof RingKvError)) throw error;
            this.reply(from, { k: 'err', id: envelope.id, error: error.toBody() });
          },
        );
        return;
      case 'ok':
        this.peers.settle(from, envelope.id, { reply: envelope.body });
        return;
      case 'err':
        this.peers.settle(from, envelope.id, {
          error: new RingKvError(envelope.error.code as RingKvError['code'], envelope.error.message),
        });
        return;
    }
  }

  /** Whether the request `id` from `from` was received already (the last `requestsRememberedMax`). */
  private seenBefore(from: NodeId, id: number): boolean {
    const key = `${from}/${id}`;
    if (this.requestsSeen.has(key)) return true;
    this.requestsSeen.add(key);
    if (this.requestsSeen.size > requestsRememberedMax) {
      this.requestsSeen.delete(this.requestsSeen.values().next().value as string);
    }
    return false;
  }

  private reply(to: NodeId, envelope: PeerEnvelope): void {
    if (!this.crashed) this.context.endpoint.send(to, envelope);
  }
}

export function replicationNodes(
  seedsFor: (id: NodeId) => NodeId[],
  config: ReplicationSimConfig = replicationSimDefaults,
): SimNodeFactory<ReplicationSimNode> {
  return (context) => new ReplicationSimNode(context, seedsFor(context.id), config);
}
