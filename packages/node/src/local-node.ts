/**
 * A single node as a NodeApi: one ring with one member, one store, one hybrid logical clock. It is what
 * `ringkv node` runs until the cluster layer replaces it; the edges in `io/` cannot tell the difference.
 *
 * With one node there is one replica, so every consistency level is met by the local store: a write is
 * acknowledged once the store says it is durable. Operations on the same key run one after another in
 * arrival order (see KeyLanes), so `create` cannot be won twice by two requests that overlap.
 */
import {
  type AddNodeResult,
  type Consistency,
  type DeleteResult,
  type GetNodeResult,
  type NodeStats,
  type NodesResult,
  type RemoveNodeResult,
  RingKvError,
  type RingResult,
} from '@ringkv/protocol';
import { HybridLogicalClock } from './core/hlc.js';
import { defaultTokens, Ring } from './core/ring.js';
import { assert, type Clock, describeKey, type StoredRecord, type TimerHandle } from './core/types.js';
import { KeyLanes } from './io/key-lanes.js';
import type { NodeApi, NodeEvent, RecordReply, ReplicaRead } from './node-api.js';
import type { Store } from './store/store.js';

export interface LocalNodeOptions {
  nodeId: string;
  store: Store;
  clock: Clock;
  vnodes: number;
  replicationFactor: number;
  /** Per-operation figures since the last call (ops/s, p50, p99), for the `stats` topic. */
  sampleOps: () => NodeStats['ops'];
  /** Whether anything answers at HOST:PORT (add_node tells an unreachable address from a live one). */
  probe: (node: string) => Promise<boolean>;
  statsIntervalMs: number;
}

export class LocalNode implements NodeApi {
  readonly nodeId: string;
  private readonly ringSnapshot: Ring;
  private readonly hlc: HybridLogicalClock;
  private readonly lanes = new KeyLanes();
  private readonly listeners = new Set<(event: NodeEvent) => void>();
  private statsTimer: TimerHandle | undefined;
  private open = true;

  constructor(private readonly options: LocalNodeOptions) {
    this.nodeId = options.nodeId;
    this.ringSnapshot = Ring.fromMembers([
      { id: options.nodeId, tokens: defaultTokens(options.nodeId, options.vnodes) },
    ]);
    this.hlc = new HybridLogicalClock(options.clock);
  }

  create(key: string, valueJson: string, _consistency: Consistency): Promise<RecordReply> {
    return this.lanes.run(key, async () => {
      const existing = this.options.store.get(key);
      if (existing !== undefined && existing.valueJson !== null) {
        throw new RingKvError(
          'KEY_EXISTS',
          `key ${describeKey(key)} already exists; use update to change it`,
        );
      }
      return this.write(key, valueJson, existing);
    });
  }

  read(key: string, _consistency: Consistency): Promise<RecordReply> {
    return this.lanes.run(key, async () => {
      const record = this.liveRecord(key);
      return { key, valueJson: record.valueJson!, version: record.version };
    });
  }

  update(key: string, valueJson: string, _consistency: Consistency): Promise<RecordReply> {
    return this.lanes.run(key, async () => this.write(key, valueJson, this.liveRecord(key)));
  }

  delete(key: string, _consistency: Consistency): Promise<DeleteResult> {
    return this.lanes.run(key, async () => {
      const existing = this.liveRecord(key);
      const version = this.nextVersion(existing);
      const applied = await this.options.store.delete(key, version, this.nodeId);
      assert(applied, 'local node: a tombstone newer than every held version was not applied');
      return { key, deleted: true as const };
    });
  }

  /** One node holds every key: it is always the replica. */
  readReplica(key: string): ReplicaRead {
    return { replica: true, ringChecksum: this.ringSnapshot.checksum, record: this.options.store.get(key) };
  }

  getNode(key: string): GetNodeResult {
    const replicas = this.ringSnapshot.preferenceList(key, this.options.replicationFactor);
    return { key, node: replicas[0]!, replicas: [...replicas] };
  }

  async addNode(node: string): Promise<AddNodeResult> {
    if (node === this.nodeId)
      throw new RingKvError('NODE_EXISTS', `${node} is this node; it is already in the ring`);
    if (!(await this.options.probe(node))) {
      throw new RingKvError(
        'NODE_UNREACHABLE',
        `nothing answers at ${node}; start it with \`ringkv node\` first`,
      );
    }
    throw new RingKvError(
      'CONFLICT',
      `this node runs alone, without the cluster layer, so it cannot admit ${node}; start ${node} with --join ${this.nodeId} once clustering is available`,
    );
  }

  async removeNode(node: string): Promise<RemoveNodeResult> {
    if (node === this.nodeId) {
      throw new RingKvError(
        'CONFLICT',
        `${node} is the last node of the cluster; removing it would lose every key`,
      );
    }
    throw new RingKvError('NODE_NOT_FOUND', `${node} is not a member of this cluster`);
  }

  nodes(): NodesResult {
    const counts = this.options.store.counts();
    return { nodes: [{ id: this.nodeId, status: 'alive', keys: counts.keys, bytes: counts.bytes }] };
  }

  ring(): RingResult {
    return {
      // One node, one ring for the whole life of the process: epoch 1.
      epoch: 1,
      checksum: this.ringSnapshot.checksum,
      vnodes: this.options.vnodes,
      replicationFactor: this.options.replicationFactor,
      tokens: this.ringSnapshot.entries(),
    };
  }

  serving(): boolean {
    return this.open;
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.statsTimer === undefined && this.open) this.scheduleStats();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopStats();
    };
  }

  /** Stops the stats timer and refuses further use; the store belongs to the caller, which closes it. */
  async close(): Promise<void> {
    this.open = false;
    this.stopStats();
  }

  private liveRecord(key: string): StoredRecord {
    const record = this.options.store.get(key);
    if (record === undefined || record.valueJson === null) {
      throw new RingKvError('KEY_NOT_FOUND', `key ${describeKey(key)} does not exist`);
    }
    return record;
  }

  /** A version newer than the held record's, even if the wall clock stepped back since it was written. */
  private nextVersion(existing: StoredRecord | undefined): number {
    if (existing !== undefined) this.hlc.observe(existing.version);
    return this.hlc.now();
  }

  private async write(
    key: string,
    valueJson: string,
    existing: StoredRecord | undefined,
  ): Promise<RecordReply> {
    const version = this.nextVersion(existing);
    // Reply only after the store resolves: for the persistent engine that is after the commit.
    const applied = await this.options.store.put(key, { valueJson, version, writer: this.nodeId });
    assert(applied, 'local node: a write newer than every held version was not applied');
    return { key, valueJson, version };
  }

  private scheduleStats(): void {
    this.statsTimer = this.options.clock.setTimer(this.options.statsIntervalMs, () => {
      this.statsTimer = undefined;
      if (!this.open || this.listeners.size === 0) return;
      this.emit({ topic: 'stats', data: { nodes: [this.stats()] } });
      this.scheduleStats();
    });
  }

  private stopStats(): void {
    this.statsTimer?.cancel();
    this.statsTimer = undefined;
  }

  private stats(): NodeStats {
    const counts = this.options.store.counts();
    return {
      node: this.nodeId,
      at: this.options.clock.nowMs(),
      keys: counts.keys,
      bytes: counts.bytes,
      ops: this.options.sampleOps(),
      forwarded: 0,
    };
  }

  private emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
