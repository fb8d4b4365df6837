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
import { QuorumRound, type ReplicationConfig, requiredAnswers } from './quorum.js';
import type { AnswerSink, ConditionalAnswer } from './replica-batch.js';
import { newestAnswer, ReplicaUpkeep } from './replica-upkeep.js';
import type { Ring } from './ring.js';
import { conditionError, conditionHolds, SingleRoundWriter, type WriteOp } from './single-round-write.js';
import { writeOwnCopy } from './store-write.js';
import { type Clock, describeKey, type NodeId, type StoredRecord } from './types.js';

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
  pendingReplicas?(key: string, replicas: readonly NodeId[]): readonly NodeId[];
}

/** Replica operations on another node (the peer transport, or the simulator's network). */
export interface ReplicaChannel {
  writeReplica(node: NodeId, key: string, record: StoredRecord, hintFor?: NodeId): Promise<boolean>;
  readReplica(node: NodeId, key: string): Promise<StoredRecord | undefined>;
  /**
   * `readReplica` answering a sink instead of a promise (the coordinator's quorum rounds). With `known`
   * (this node's record of the key), a replica holding that same write answers with `known` without
   * sending the value back.
   */
  readReplicaTo(
    node: NodeId,
    key: string,
    sink: AnswerSink<StoredRecord | undefined>,
    known?: StoredRecord,
  ): void;
  /** `writeReplica` (no hint) answering a sink instead of a promise. */
  writeReplicaTo(node: NodeId, key: string, record: StoredRecord, sink: AnswerSink<boolean>): void;
  /**
   * Writes `record` to `node` only if `node` holds exactly `expect` (null: no record of the key); the sink
   * gets `true` (applied) or the record `node` holds instead (single-round-write.ts).
   */
  writeReplicaIfTo(
    node: NodeId,
    key: string,
    record: StoredRecord,
    expect: { version: number; writer: NodeId } | null,
    sink: AnswerSink<ConditionalAnswer>,
  ): void;
}

type ReadDone = (error: unknown, record: StoredRecord | undefined) => void;

export interface CoordinatorDeps {
  self: NodeId;
  clock: Clock;
  hlc: HybridLogicalClock;
  store: Store;
  channel: ReplicaChannel;
  placement: Placement;
  config: ReplicationConfig;
}

export class Coordinator {
  readonly stats = {
    coordinated: 0,
    readRepairs: 0,
    readRepairsSkipped: 0,
    hintsStored: 0,
    hintsDropped: 0,
    hintHolderFailures: 0,
    singleRoundWrites: 0,
    singleRoundRefused: 0,
  };
  private readonly queue = new KeyQueue(limits.coordinatorKeyQueueMax);
  private inflight = 0;
  /** One function for every write's end (a closure per write would cost an allocation and, under tsx, a `__name`). */
  private readonly writeDone = (): void => {
    this.inflight--;
  };
  private readonly upkeep: ReplicaUpkeep;
  private readonly singleRound: SingleRoundWriter;
  private lastRing: Ring | undefined;
  private lastKey: string | undefined;
  private lastReplicas: readonly NodeId[] = [];

  constructor(private readonly deps: CoordinatorDeps) {
    this.upkeep = new ReplicaUpkeep(deps, this.stats);
    this.singleRound = new SingleRoundWriter(deps, this.upkeep, this.stats);
  }

  /**
   * The key's replicas: the first min(rf, ring size) distinct nodes clockwise. One operation asks up to
   * three times in a row (the immediate-read check, routing, the quorum round): the last answer is kept,
   * keyed by the ring object (rings are immutable; a change of membership makes a new one).
   */
  replicasOf(key: string): readonly NodeId[] {
    const ring = this.deps.placement.ring();
    if (ring === this.lastRing && key === this.lastKey) return this.lastReplicas;
    const replicas = ring.preferenceList(key, this.deps.config.replicationFactor);
    this.lastRing = ring;
    this.lastKey = key;
    this.lastReplicas = replicas;
    return replicas;
  }

  /** Runs one client operation as the coordinator; resolves to the record written or read. */
  execute(
    op: DataOp,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
  ): Promise<StoredRecord> {
    if (this.inflight >= limits.coordinatorOperationsInflightMax) {
      return Promise.reject(
        new RingKvError('UNAVAILABLE', 'this coordinator is at its limit of operations in flight'),
      );
    }
    this.inflight++;
    this.stats.coordinated++;
    if (op === 'read') return this.read(key, consistency);
    const result = this.queue.run(key, () => this.write(op, key, valueJson, consistency));
    result.then(this.writeDone, this.writeDone);
    return result;
  }

  /** The replicas worth sending to: `replicas` itself when all are (no array per operation then). */
  private liveReplicas(
    replicas: readonly NodeId[],
    required: number,
    consistency: Consistency,
    key: string,
  ): readonly NodeId[] {
    let some: NodeId[] | undefined;
    for (let index = 0; index < replicas.length; index++) {
      const node = replicas[index]!;
      const worth = node === this.deps.self || this.deps.placement.isLive(node);
      if (!worth) some ??= replicas.slice(0, index);
      else if (some) some.push(node);
    }
    const live = some ?? replicas;
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

  /** A client read: one promise, settled by the quorum round's callback (no promise per replica). */
  private read(key: string, consistency: Consistency): Promise<StoredRecord> {
    return new Promise<StoredRecord>((resolve, reject) => {
      this.quorumRead(key, consistency, (error, record) => {
        this.inflight--;
        if (error) reject(error);
        else if (!record || record.valueJson === null) {
          reject(new RingKvError('KEY_NOT_FOUND', `key ${describeKey(key)} does not exist`));
        } else resolve(record);
      });
    });
  }

  private quorumReadPromise(key: string, consistency: Consistency): Promise<StoredRecord | undefined> {
    return new Promise((resolve, reject) => {
      this.quorumRead(key, consistency, (error, record) => (error ? reject(error) : resolve(record)));
    });
  }

  /**
   * The newest record among `required` answers, to `done` (called once, possibly at once); stale or missing
   * replicas are repaired once every replica answered or the deadline passed.
   */
  private quorumRead(key: string, consistency: Consistency, done: ReadDone): void {
    let live: readonly NodeId[];
    let required: number;
    try {
      const replicas = this.replicasOf(key);
      required = requiredAnswers(consistency, 'read', replicas.length, this.deps.config);
      live = this.liveReplicas(replicas, required, consistency, key);
    } catch (error) {
      done(error, undefined);
      return;
    }
    if (this.onlySelf(live)) {
      // The one answer is this node's store (rf 1, or every other replica down): no wait, no deadline
      // timer, nothing to repair.
      let record: StoredRecord | undefined;
      try {
        record = this.deps.store.get(key);
      } catch (error) {
        done(error, undefined);
        return;
      }
      if (record) this.deps.hlc.observe(record.version);
      done(undefined, record);
      return;
    }
    const round: QuorumRound<StoredRecord | undefined> = new QuorumRound(
      live.length,
      required,
      this.deps.clock,
      this.deps.config.replicaTimeoutMs,
      () => `read of ${describeKey(key)}`,
      (error) => {
        if (error) {
          done(error, undefined);
          return;
        }
        const newest = newestAnswer(round.answers);
        if (newest) this.deps.hlc.observe(newest.version);
        done(undefined, newest);
      },
      () => this.upkeep.repairAfterRead(key, round.results),
    );
    // The local record goes with the remote reads (replicas holding the same write answer "same", not
    // the value); the local answer is given last, as it may decide the round at once (a quorum of one).
    const self = live.includes(this.deps.self);
    let local: StoredRecord | undefined;
    let localError: unknown;
    if (self) {
      try {
        local = this.deps.store.get(key);
      } catch (error) {
        localError = error ?? new Error('store read failed');
      }
    }
    for (const node of live) {
      if (node !== this.deps.self) this.deps.channel.readReplicaTo(node, key, round, local);
    }
    if (!self) return;
    if (localError !== undefined) round.fail(this.deps.self, localError);
    else round.answer(this.deps.self, local);
  }

  /** A create, update or delete: in one round when it can (single-round-write.ts), else a quorum read and a write round. */
  private async write(
    op: WriteOp,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
  ): Promise<StoredRecord> {
    const single = this.singleRound.attempt(op, key, valueJson, consistency, this.replicasOf(key));
    let current: StoredRecord | undefined;
    if (single) {
      const outcome = await single;
      if ('written' in outcome) return outcome.written;
      current = outcome.current;
    } else current = await this.quorumReadPromise(key, consistency);
    if (!conditionHolds(op, current)) throw conditionError(op, key);
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
      if (!live.includes(node)) void this.upkeep.hint(node, key, record, replicas);
    }
    for (const node of this.deps.placement.pendingReplicas?.(key, replicas) ?? []) {
      this.upkeep.writePending(node, key, record, replicas);
    }
    if (this.onlySelf(live)) {
      // Only the local store to wait for: the outcome of a quorum of one, without its deadline timer, and
      // without a promise when the store has it durable at once (the memory engine).
      const durable = writeOwnCopy(this.deps.store, key, record, (cause) => noReplicaAnswered(key, cause));
      if (durable !== undefined) await durable;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const round = new QuorumRound<boolean>(
        live.length,
        required,
        this.deps.clock,
        this.deps.config.replicaTimeoutMs,
        () => `write of ${describeKey(key)}`,
        (error) => (error ? reject(error) : resolve()),
      );
      // A replica whose write fails may or may not hold it: hint it anyway (applying twice is harmless).
      const hinting: AnswerSink<boolean> = {
        answer: (node, applied) => round.answer(node, applied),
        fail: (node, error) => {
          void this.upkeep.hint(node, key, record, replicas);
          round.fail(node, error);
        },
      };
      for (const node of live) {
        if (node !== this.deps.self) this.deps.channel.writeReplicaTo(node, key, record, hinting);
      }
      if (live.includes(this.deps.self)) {
        this.deps.store.put(key, record).then(
          (applied) => round.answer(this.deps.self, applied),
          (error: unknown) => round.fail(this.deps.self, error),
        );
      }
    });
  }
}

function noReplicaAnswered(key: string, cause: unknown): RingKvError {
  return new RingKvError('UNAVAILABLE', `write of ${describeKey(key)}: 0 replicas answered; 1 needed`, {
    cause,
  });
}
