/**
 * The coordinator of a key (docs/ARCHITECTURE.md, "cluster"): decides create/update/delete conditions from a
 * quorum read, orders operations on one key (KeyQueue), stamps writes with an HLC version, writes to every
 * replica in parallel and answers after the consistency level's acknowledgements. Replicas that are down or
 * do not answer get a hint kept for them (handoff.ts delivers it). Reads ask every live replica, answer with
 * the newest of the first `required` answers, and repair stale replicas in the background.
 *
 * Ordering contract: a replica acknowledges only after its store says the write is durable, and the
 * coordinator answers the client only after `required` such acknowledgements.
 */
import { type Consistency, limits, RingKvError } from '@ringkv/protocol';
import type { Store } from '../store/store.js';
import type { HybridLogicalClock } from './hlc.js';
import { KeyQueue } from './key-queue.js';
import { awaitQuorum, type ReplicationConfig, requiredAnswers } from './quorum.js';
import type { Ring } from './ring.js';
import { type Clock, compareRecords, type NodeId, type StoredRecord } from './types.js';

export type DataOp = 'create' | 'read' | 'update' | 'delete';

/** Where keys live, as the membership layer sees it now. */
export interface Placement {
  ring(): Ring;
  /** Whether `id` is worth sending to (alive, joining or leaving, and its connection not known broken). */
  isLive(id: NodeId): boolean;
  /**
   * Joining nodes that will replicate `key` once they are alive (not among `replicas`): writes reach them
   * too, uncounted, so nothing written while their ranges stream in is missing when they start serving.
   */
  pendingReplicas?(key: string, replicas: readonly NodeId[]): NodeId[];
}

/** Replica operations on another node (the peer transport, or the simulator's network). */
export interface ReplicaChannel {
  writeReplica(node: NodeId, key: string, record: StoredRecord, hintFor?: NodeId): Promise<boolean>;
  readReplica(node: NodeId, key: string): Promise<StoredRecord | undefined>;
}

export interface CoordinatorDeps {
  self: NodeId;
  clock: Clock;
  hlc: HybridLogicalClock;
  store: Store;
  channel: ReplicaChannel;
  placement: Placement;
  config: ReplicationConfig;
}

export function describeKey(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 61)}...` : key);
}

export class Coordinator {
  readonly stats = {
    coordinated: 0,
    readRepairs: 0,
    readRepairsSkipped: 0,
    hintsStored: 0,
    hintsDropped: 0,
    hintHolderFailures: 0,
  };
  private readonly queue = new KeyQueue(limits.coordinatorKeyQueueMax);
  private inflight = 0;
  private repairsInflight = 0;

  constructor(private readonly deps: CoordinatorDeps) {}

  /** The key's replicas: the first min(rf, ring size) distinct nodes clockwise. */
  replicasOf(key: string): NodeId[] {
    return this.deps.placement.ring().preferenceList(key, this.deps.config.replicationFactor);
  }

  /** Runs one client operation as the coordinator; resolves to the record written or read. */
  async execute(op: DataOp, key: string, valueJson: string | undefined, consistency: Consistency) {
    if (this.inflight >= limits.coordinatorOperationsInflightMax) {
      throw new RingKvError('UNAVAILABLE', 'this coordinator is at its limit of operations in flight');
    }
    this.inflight++;
    this.stats.coordinated++;
    try {
      if (op === 'read') return await this.read(key, consistency);
      return await this.queue.run(key, () => this.write(op, key, valueJson, consistency));
    } finally {
      this.inflight--;
    }
  }

  private liveReplicas(
    replicas: NodeId[],
    required: number,
    consistency: Consistency,
    key: string,
  ): NodeId[] {
    const live = replicas.filter((node) => node === this.deps.self || this.deps.placement.isLive(node));
    if (live.length < required) {
      throw new RingKvError(
        'UNAVAILABLE',
        `${live.length} of the ${replicas.length} replicas of ${describeKey(key)} are live; ${consistency} needs ${required}`,
      );
    }
    return live;
  }

  private onlySelf(live: readonly NodeId[]): boolean {
    return live.length === 1 && live[0] === this.deps.self;
  }

  private async read(key: string, consistency: Consistency): Promise<StoredRecord> {
    const record = await this.quorumRead(key, consistency);
    if (!record || record.valueJson === null) {
      throw new RingKvError('KEY_NOT_FOUND', `key ${describeKey(key)} does not exist`);
    }
    return record;
  }

  /** The newest record among `required` answers; stale or missing replicas are repaired afterwards. */
  private async quorumRead(key: string, consistency: Consistency): Promise<StoredRecord | undefined> {
    const replicas = this.replicasOf(key);
    const required = requiredAnswers(consistency, 'read', replicas.length, this.deps.config);
    const live = this.liveReplicas(replicas, required, consistency, key);
    if (this.onlySelf(live)) {
      // The one answer is this node's store (rf 1, or every other replica down): no wait, no deadline
      // timer, nothing to repair.
      const record = this.deps.store.get(key);
      if (record) this.deps.hlc.observe(record.version);
      return record;
    }
    const attempts = live.map((node) => ({
      node,
      answer:
        node === this.deps.self
          ? Promise.resolve(this.deps.store.get(key))
          : this.deps.channel.readReplica(node, key),
    }));
    const outcome = await awaitQuorum(
      attempts,
      required,
      this.deps.clock,
      this.deps.config.replicaTimeoutMs,
      `read of ${describeKey(key)}`,
    );
    const newest = newestOf(outcome.answers.map((answer) => answer.value));
    if (newest) this.deps.hlc.observe(newest.version);
    void outcome.settled.then((results) => this.repair(key, results));
    return newest;
  }

  private async write(
    op: Exclude<DataOp, 'read'>,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
  ): Promise<StoredRecord> {
    const current = await this.quorumRead(key, consistency);
    const exists = current !== undefined && current.valueJson !== null;
    if (op === 'create' && exists) {
      throw new RingKvError('KEY_EXISTS', `key ${describeKey(key)} already exists; use update to change it`);
    }
    if (op !== 'create' && !exists) {
      throw new RingKvError('KEY_NOT_FOUND', `key ${describeKey(key)} does not exist`);
    }
    if (current) this.deps.hlc.observe(current.version);
    const record: StoredRecord = {
      valueJson: op === 'delete' ? null : (valueJson ?? 'null'),
      version: this.deps.hlc.now(),
      writer: this.deps.self,
    };
    await this.replicate(key, record, consistency);
    return record;
  }

  private async replicate(key: string, record: StoredRecord, consistency: Consistency): Promise<void> {
    const replicas = this.replicasOf(key);
    const required = requiredAnswers(consistency, 'write', replicas.length, this.deps.config);
    const live = this.liveReplicas(replicas, required, consistency, key);
    for (const node of replicas) {
      if (!live.includes(node)) void this.hint(node, key, record, replicas);
    }
    for (const node of this.deps.placement.pendingReplicas?.(key, replicas) ?? []) {
      this.writePending(node, key, record, replicas);
    }
    if (this.onlySelf(live)) {
      // Only the local store to wait for: the outcome of a quorum of one, without its deadline timer.
      await this.deps.store.put(key, record).catch((cause: unknown) => {
        throw new RingKvError('UNAVAILABLE', `write of ${describeKey(key)}: 0 replicas answered; 1 needed`, {
          cause,
        });
      });
      return;
    }
    const attempts = live.map((node) => ({
      node,
      answer:
        node === this.deps.self
          ? this.deps.store.put(key, record)
          : this.deps.channel.writeReplica(node, key, record).catch((error: unknown) => {
              // The replica may or may not hold the write: hint it anyway (applying twice is harmless).
              void this.hint(node, key, record, replicas);
              throw error;
            }),
    }));
    await awaitQuorum(
      attempts,
      required,
      this.deps.clock,
      this.deps.config.replicaTimeoutMs,
      `write of ${describeKey(key)}`,
    );
  }

  /** A write to a joining future replica: not awaited; a failure leaves a hint for it, as for a replica. */
  private writePending(node: NodeId, key: string, record: StoredRecord, replicas: NodeId[]): void {
    const write =
      node === this.deps.self
        ? this.deps.store.put(key, record)
        : this.deps.channel.writeReplica(node, key, record);
    write.catch(() => this.hint(node, key, record, replicas));
  }

  /**
   * Keeps `record` for `owner`: first on the next live node clockwise beyond the key's replicas (sloppy
   * quorum's hint-holder); when there is none or it does not answer, in this node's own store.
   */
  private async hint(owner: NodeId, key: string, record: StoredRecord, replicas: NodeId[]): Promise<void> {
    if (this.deps.config.hints === false) return;
    const ring = this.deps.placement.ring();
    const candidates = ring.preferenceList(key, replicas.length + limits.replicationFactorMax);
    const holder = candidates.find(
      (node) => !replicas.includes(node) && node !== this.deps.self && this.deps.placement.isLive(node),
    );
    if (holder) {
      try {
        await this.deps.channel.writeReplica(holder, key, record, owner);
        this.stats.hintsStored++;
        return;
      } catch {
        // The holder failed too: keep the hint here instead (below), so it is not lost.
        this.stats.hintHolderFailures++;
      }
    }
    // Runs detached from the client's operation: it must never reject, only count what it could not keep.
    const kept = await this.deps.store.putHint({ target: owner, key, record }).catch(() => false);
    if (kept) this.stats.hintsStored++;
    else this.stats.hintsDropped++;
  }

  private repair(
    key: string,
    results: Array<{ node: NodeId; value: StoredRecord | undefined } | { node: NodeId; error: unknown }>,
  ): void {
    const answered = results.filter((result) => 'value' in result) as Array<{
      node: NodeId;
      value: StoredRecord | undefined;
    }>;
    const newest = newestOf(answered.map((result) => result.value));
    if (!newest || this.deps.config.readRepair === false) return;
    for (const { node, value } of answered) {
      if (value && compareRecords(value, newest) >= 0) continue;
      if (this.repairsInflight >= limits.readRepairsInflightMax) {
        this.stats.readRepairsSkipped++;
        continue;
      }
      this.repairsInflight++;
      this.stats.readRepairs++;
      const done = () => {
        this.repairsInflight--;
      };
      const write =
        node === this.deps.self
          ? this.deps.store.put(key, newest)
          : this.deps.channel.writeReplica(node, key, newest);
      // A failed repair is not an error: the next read, a hint or anti-entropy repairs it later.
      write.then(done, done);
    }
  }
}

export function newestOf(records: ReadonlyArray<StoredRecord | undefined>): StoredRecord | undefined {
  let newest: StoredRecord | undefined;
  for (const record of records) {
    if (record && (!newest || compareRecords(record, newest) > 0)) newest = record;
  }
  return newest;
}
