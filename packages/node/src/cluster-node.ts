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
import { HybridLogicalClock } from './core/hlc.js';
import { Membership, type MembershipConfig } from './core/membership.js';
import { RepairPlane, type RepairPlaneDeps } from './core/repair-plane.js';
import { DataNode, worthSendingTo } from './core/replica.js';
import { defaultTokens } from './core/ring.js';
import type { Clock, NodeId, Random } from './core/types.js';
import { ClusterEvents } from './io/peer-events.js';
import { PeerStatsPoller } from './io/peer-stats.js';
import { type PeerLogger, PeerTransport } from './io/peer-transport.js';
import type { NodeApi, NodeEvent, RecordReply } from './node-api.js';
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
}

export class ClusterNode implements NodeApi {
  readonly nodeId: NodeId;
  readonly transport: PeerTransport;
  readonly membership: Membership;
  readonly data: DataNode;
  /** Anti-entropy and rebalance streaming; `repair.store` is the store every write goes through. */
  readonly repair: RepairPlane;
  private readonly events: ClusterEvents;
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
    this.membership = new Membership({
      self: options.nodeId,
      clock: options.clock,
      random: options.random,
      send: (to, message) => this.transport.send(to, message),
      // Tokens derive from the id, so a node that restarts claims the ranges (and data) it had.
      tokens: defaultTokens(options.nodeId, options.vnodes),
      config: { vnodes: options.vnodes, ...options.membership },
    });
    const placement = {
      ring: () => this.membership.ring(),
      // A suspect is still sent to: SWIM suspects a node whose acks are merely late (a busy event loop), and
      // a request that then fails costs a hint, not an error. A node whose connection is refused is skipped.
      isLive: (id: NodeId) =>
        id === this.nodeId || (worthSendingTo(this.membership, id) && !this.transport.isUnreachable(id)),
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
      ready: () => this.membership.member(this.nodeId)?.status !== 'joining',
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
      onRequest: async (from, request) =>
        request.type === 'stats'
          ? this.stats.reply()
          : (this.repair.serve(request) ?? this.data.handle(from, request)),
    });
    this.transport.onPeerEvent((event) => {
      if (event.type === 'up') this.data.handoff.nudge(event.peer);
    });
    this.membership.onEvent((event) => {
      if (event.type === 'member' && this.membership.isLive(event.member.id)) {
        this.data.handoff.nudge(event.member.id);
      }
      if (event.type === 'removed') this.transport.forget(event.id);
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

  /** The local replica's record (consistency one, this node only): for checks and `/_internal`. */
  localRecord(key: string) {
    return this.options.store.get(key);
  }

  getNode(key: string): GetNodeResult {
    const replicas = this.membership.ring().preferenceList(key, this.options.replicationFactor);
    return { key, node: replicas[0] ?? this.nodeId, replicas };
  }

  async addNode(node: string): Promise<AddNodeResult> {
    const member = this.membership.member(node);
    if (node === this.nodeId || (member && this.membership.isLive(node))) {
      throw new RingKvError('NODE_EXISTS', `${node} is already a member of this cluster`);
    }
    await this.transport.probe(node);
    this.membership.admit(node);
    const timeoutMs = this.options.admitTimeoutMs ?? 15_000;
    const admitted = await this.events.waitFor(() => this.membership.ring().has(node), timeoutMs);
    if (!admitted) {
      throw new RingKvError('TIMEOUT', `${node} answered but did not join the ring within ${timeoutMs} ms`);
    }
    return { node, nodes: this.membership.ring().nodes() };
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
    this.membership.decommission(node);
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
