/**
 * The clustered NodeApi: SWIM membership (core/membership.ts) decides who is in the ring, the data plane
 * (core/replica.ts: coordinator, quorums, hints, forwarding) decides where each operation runs, and the peer
 * transport (io/peer-transport.ts) carries both over one authenticated WebSocket per peer. The edges in
 * `io/` see the same interface as for a single node; a one-node cluster answers exactly as one.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AddNodeResult,
  type Consistency,
  type DeleteResult,
  type GetNodeResult,
  limits,
  type NodeStats,
  type NodesResult,
  type RemoveNodeResult,
  RingKvError,
  type RingResult,
} from '@ringkv/protocol';
import type { Placement } from './core/coordinator.js';
import { HybridLogicalClock } from './core/hlc.js';
import { Membership, type MembershipConfig } from './core/membership.js';
import type { TokenChoiceReason } from './core/provisional-tokens.js';
import { RepairPlane, type RepairPlaneDeps } from './core/repair-plane.js';
import { DataNode, worthSendingTo } from './core/replica.js';
import { defaultTokens, type Ring } from './core/ring.js';
import { RingViews } from './core/ring-views.js';
import { allocateTokens } from './core/tokens.js';
import type { Clock, NodeId, Random } from './core/types.js';
import { ClusterEvents } from './io/peer-events.js';
import { PeerStatsPoller } from './io/peer-stats.js';
import { type PeerLogger, PeerTransport } from './io/peer-transport.js';
import type { NodeApi, NodeEvent, RecordReply, ReplicaRead } from './node-api.js';
import type { Store } from './store/store.js';

export interface ClusterNodeOptions {
  nodeId: NodeId;
  store: Store;
  clock: Clock;
  random: Random;
  logger: PeerLogger;
  vnodes: number;
  replicationFactor: number;
  readQuorum: number;
  writeQuorum: number;
  join: NodeId[];
  clusterSecret: string | undefined;
  /** Peers must agree on it in the handshake. */
  clusterName?: string;
  replicaTimeoutMs?: number;
  sampleOps: () => NodeStats['ops'];
  statsIntervalMs: number;
  membership?: Partial<MembershipConfig>;
  /** add_node answers once the ring includes the node, or TIMEOUT after this. */
  admitTimeoutMs?: number;
  /** Anti-entropy settings (core/anti-entropy.ts defaults otherwise). */
  antiEntropy?: RepairPlaneDeps['antiEntropy'];
  /**
   * This node's tokens (io/node-tokens.ts keeps them in the data directory). `provisional` (a new node):
   * on first contact with a cluster, while its store is still empty, it chooses tokens against the ring it
   * sees (`allocateTokens`) and stays joining until its ranges have streamed in; as the founder of a
   * cluster (others join it, or it admits one) it keeps them. Either way `onTokensFinal` reports the
   * tokens to keep. Default: `defaultTokens(nodeId)`, final.
   */
  tokens?: { tokens: number[]; provisional: boolean };
  onTokensFinal?: (tokens: number[]) => void;
  /** Wait before a newly joined node pulls its ranges (core/rebalance.ts). */
  joinSettleMs?: number;
}

/** No joining node will replicate a key (the usual answer): one shared empty list, not one per write. */
const noPendingReplicas: readonly NodeId[] = Object.freeze([]);

export class ClusterNode implements NodeApi {
  readonly nodeId: NodeId;
  readonly transport: PeerTransport;
  readonly membership: Membership;
  readonly data: DataNode;
  /** Anti-entropy and rebalance streaming; `repair.store` is the store every write goes through. */
  readonly repair: RepairPlane;
  private readonly events: ClusterEvents;
  private readonly views: RingViews;
  private readonly stats: PeerStatsPoller;
  private open = true;

  constructor(private readonly options: ClusterNodeOptions) {
    this.nodeId = options.nodeId;
    this.transport = new PeerTransport({
      self: options.nodeId,
      cluster: options.clusterName ?? 'ringkv',
      secret: options.clusterSecret,
      logger: options.logger,
    });
    const tokens = options.tokens ?? {
      tokens: defaultTokens(options.nodeId, options.vnodes),
      provisional: false,
    };
    this.membership = new Membership({
      self: options.nodeId,
      clock: options.clock,
      random: options.random,
      send: (to, message) => this.transport.send(to, message),
      tokens: tokens.tokens,
      ...(tokens.provisional
        ? {
            chooseTokens: (others: Ring, reason: TokenChoiceReason) => this.chooseTokens(others, reason),
            onTokensFinal: (final: number[]) => options.onTokensFinal?.(final),
          }
        : {}),
      // A returning member (kept tokens) answers joins after one round through its seeds: when a whole
      // cluster restarts, every node waits for the others, and one of them must go first.
      config: {
        vnodes: options.vnodes,
        ...(tokens.provisional ? {} : { seedRoundsBeforeAnswering: 1 }),
        ...options.membership,
      },
    });
    this.views = new RingViews(this.membership, options.nodeId);
    const placement: Placement = {
      ring: () => this.views.routing(),
      // A suspect is still sent to: SWIM suspects a node whose acks are merely late (a busy event loop), and
      // a request that then fails costs a hint, not an error. A node whose connection is refused is skipped.
      isLive: (id: NodeId) =>
        id === this.nodeId || (worthSendingTo(this.membership, id) && !this.transport.isUnreachable(id)),
      pendingReplicas: (key, replicas) => this.pendingReplicas(key, replicas),
    };
    this.repair = new RepairPlane({
      self: options.nodeId,
      clock: options.clock,
      random: options.random,
      store: options.store,
      peers: this.transport,
      placement,
      replicationFactor: options.replicationFactor,
      membership: this.membership,
      ...(options.antiEntropy ? { antiEntropy: options.antiEntropy } : {}),
      ...(options.joinSettleMs === undefined ? {} : { joinSettleMs: options.joinSettleMs }),
      ready: () => !this.membership.awaitingSeed(),
    });
    this.data = new DataNode({
      self: options.nodeId,
      clock: options.clock,
      hlc: new HybridLogicalClock(options.clock),
      store: this.repair.store,
      peers: this.transport,
      placement,
      config: {
        replicationFactor: options.replicationFactor,
        readQuorum: options.readQuorum,
        writeQuorum: options.writeQuorum,
        replicaTimeoutMs: options.replicaTimeoutMs ?? limits.replicaTimeoutMsDefault,
      },
      // A joining node coordinates from the serving ring as soon as it knows the cluster; only a node
      // still waiting for its seeds has no ring to route by.
      ready: () => !this.membership.awaitingSeed(),
    });
    this.stats = new PeerStatsPoller({
      self: options.nodeId,
      clock: options.clock,
      transport: this.transport,
      membership: this.membership,
      localCounts: () => {
        const counts = options.store.counts();
        return { keys: counts.keys, bytes: counts.bytes };
      },
      sampleOps: options.sampleOps,
      forwarded: () => this.data.forwarded,
      rebalance: () => this.repair.rebalanceStatus(),
      intervalMs: options.statsIntervalMs,
    });
    this.events = new ClusterEvents({
      membership: this.membership,
      clock: options.clock,
      statsIntervalMs: options.statsIntervalMs,
      ring: () => this.ring(),
      nodes: () => this.nodes(),
      stats: () => this.stats.all(),
    });
    this.wire();
  }

  private wire(): void {
    this.transport.setHandlers({
      onMessage: (from, message) => this.membership.onMessage(from, message),
      onRequest: (from, request) =>
        request.type === 'stats'
          ? this.stats.reply()
          : (this.repair.serve(request) ?? this.data.handle(from, request)),
    });
    // A joining node's ranges have arrived (or the transfers gave up: anti-entropy finishes them): serve.
    this.repair.rebalancer?.onIdle(() => {
      this.membership.markReady();
      // Decommissioned: every range is with its new replicas; from now on forward, never coordinate.
      if (this.repair.rebalancer?.stats.decommissioned) this.views.retire();
    });
    this.transport.onPeerEvent((event) => {
      if (event.type === 'up') this.data.handoff.nudge(event.peer);
    });
    this.membership.onEvent((event) => {
      if (event.type === 'member' && this.membership.isLive(event.member.id)) {
        this.data.handoff.nudge(event.member.id);
      }
      // A removed node may still be finishing requests with us (it forwards while it drains): close its
      // link only after a while, and only if it has not come back meanwhile.
      if (event.type === 'removed') {
        this.options.clock.setTimer(limits.removedLinkLingerMs, () => {
          if (!this.membership.member(event.id)) this.transport.forget(event.id);
        });
      }
    });
  }

  /** Starts membership (joining through `join` seeds), hint delivery and stats polling. */
  start(): void {
    this.membership.start(this.options.join.filter((seed) => seed !== this.nodeId));
    this.data.start();
    this.repair.start();
    this.stats.start();
  }

  /** The `/peer` upgrade route (the server's upgrade router calls it). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.transport.handleUpgrade(request, socket, head);
  }

  async create(key: string, valueJson: string, consistency: Consistency): Promise<RecordReply> {
    const record = await this.data.execute('create', key, valueJson, consistency);
    return { key, valueJson: record.valueJson ?? valueJson, version: record.version };
  }

  async read(key: string, consistency: Consistency): Promise<RecordReply> {
    const record = await this.data.execute('read', key, undefined, consistency);
    if (record.valueJson === null)
      throw new RingKvError('KEY_NOT_FOUND', `key ${JSON.stringify(key)} does not exist`);
    return { key, valueJson: record.valueJson, version: record.version };
  }

  async update(key: string, valueJson: string, consistency: Consistency): Promise<RecordReply> {
    const record = await this.data.execute('update', key, valueJson, consistency);
    return { key, valueJson: record.valueJson ?? valueJson, version: record.version };
  }

  async delete(key: string, consistency: Consistency): Promise<DeleteResult> {
    await this.data.execute('delete', key, undefined, consistency);
    return { key, deleted: true };
  }

  readReplica(key: string): ReplicaRead {
    return this.data.readAsReplica(key);
  }

  /** The local replica's record (consistency one, this node only): for checks and `/_internal`. */
  localRecord(key: string) {
    return this.options.store.get(key);
  }

  /**
   * The tokens of a new node, chosen on first contact with a cluster (none if it already holds data: a
   * returning member keeps its ranges), or again while it joins if another node joined at the same moment
   * (its ranges are still streaming in then, so holding keys does not make it a returning member).
   */
  private chooseTokens(others: Ring, reason: TokenChoiceReason): number[] | undefined {
    const own = this.membership.member(this.nodeId)?.tokens ?? [];
    if (reason === 'join' && own.length > 0 && this.options.store.counts().keys > 0) return undefined;
    return allocateTokens(others, this.nodeId, this.options.vnodes, this.options.replicationFactor);
  }

  /** Joining nodes that will replicate `key`: only while some member is joining with tokens. */
  private pendingReplicas(key: string, replicas: readonly NodeId[]): readonly NodeId[] {
    const future = this.views.future();
    if (!future) return noPendingReplicas;
    return future.preferenceList(key, this.options.replicationFactor).filter((id) => !replicas.includes(id));
  }

  getNode(key: string): GetNodeResult {
    if (this.membership.ring().tokenCount === 0) {
      throw new RingKvError('UNAVAILABLE', `${this.nodeId} is still joining the cluster; retry shortly`);
    }
    const replicas = this.membership.ring().preferenceList(key, this.options.replicationFactor);
    return { key, node: replicas[0] ?? this.nodeId, replicas: [...replicas] };
  }

  async addNode(node: string): Promise<AddNodeResult> {
    if (node === this.nodeId || this.membership.isMember(node)) {
      throw new RingKvError('NODE_EXISTS', `${node} is already a member of this cluster`);
    }
    await this.transport.probe(node);
    this.membership.admit(node);
    const timeoutMs = this.options.admitTimeoutMs ?? 15_000;
    // In once it holds tokens in the ring (it may still be joining: its ranges stream in afterwards).
    const admitted = await this.events.waitFor(() => this.membership.fullRing().has(node), timeoutMs);
    if (!admitted) {
      throw new RingKvError('TIMEOUT', `${node} answered but did not join the ring within ${timeoutMs} ms`);
    }
    return { node, nodes: this.membership.fullRing().nodes() };
  }

  async removeNode(node: string): Promise<RemoveNodeResult> {
    const member = this.membership.member(node);
    if (!member) throw new RingKvError('NODE_NOT_FOUND', `${node} is not a member of this cluster`);
    if (this.membership.members().length <= 1) {
      throw new RingKvError(
        'CONFLICT',
        `${node} is the last node of the cluster; removing it would lose every key`,
      );
    }
    // A dead node cannot stream its ranges away: remove it now, and the surviving replicas re-replicate
    // its ranges by the usual pull rule (the new replicas pull from the live old ones). Any other node is
    // marked leaving and pushes its ranges itself; one that is merely suspect and in fact gone is declared
    // dead, and remove_node again removes it.
    if (member.status === 'dead') this.membership.forget(node);
    else this.membership.decommission(node);
    return { node, status: 'leaving' };
  }

  nodes(): NodesResult {
    return {
      nodes: this.membership.members().map((member) => {
        const counts = this.stats.of(member.id);
        return {
          id: member.id,
          status: member.status,
          keys: counts?.keys ?? 0,
          bytes: counts?.bytes ?? 0,
          incarnation: member.incarnation,
          ...(counts?.rebalance ? { rebalance: counts.rebalance } : {}),
        };
      }),
    };
  }

  ring(): RingResult {
    const ring = this.membership.ring();
    return {
      epoch: this.membership.epoch(),
      checksum: ring.checksum,
      vnodes: this.options.vnodes,
      replicationFactor: this.options.replicationFactor,
      readQuorum: this.options.readQuorum,
      writeQuorum: this.options.writeQuorum,
      tokens: ring.entries(),
    };
  }

  serving(): boolean {
    return this.open;
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** Stops gossip, hint delivery and the mesh. The node stays in the ring: leaving is remove_node's job. */
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.events.close();
    this.stats.stop();
    this.data.stop();
    this.repair.stop();
    this.membership.stop();
    await this.transport.close();
  }
}

/** Randomness for the real node (membership's probe order, jitter); the simulator passes a seeded one. */
export const systemRandom: Random = {
  next: () => Math.random(),
  int: (bound) => Math.floor(Math.random() * bound),
};
