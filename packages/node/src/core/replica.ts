/**
 * A node's data plane, the same in the real node and in the simulator: routes each client operation to
 * its key's coordinator (this node, or one hop to the first live replica), coordinates when it is the one,
 * and serves the replication requests other nodes send it (replica writes and reads, hints, forwards,
 * stats). It talks to other nodes only through `PeerRequester` (the peer transport or the simulated
 * network), so it never touches a socket.
 */
import {
  type Consistency,
  type PeerKeyFailure,
  type PeerRecord,
  type PeerReply,
  type PeerReplyByRequest,
  type PeerRequest,
  type PeerWriteRefused,
  type ReplicaReadBatch,
  type ReplicaWriteItem,
  RingKvError,
} from '@ringkv/protocol';
import type { Store } from '../store/store.js';
import { Coordinator, type DataOp, type Placement, type ReplicaChannel } from './coordinator.js';
import { HintDelivery } from './handoff.js';
import type { HybridLogicalClock } from './hlc.js';
import type { Membership } from './membership.js';
import { type ReplicationConfig, requiredAnswers } from './quorum.js';
import { promiseSink, ReplicaBatches } from './replica-batch.js';
import { type Clock, type NodeId, type StoredRecord, sameWrite } from './types.js';

/** This node's own copy of a key, answered as one replica (the `read_replica` extension). */
export interface ReplicaRead {
  /** Whether this node is one of the key's replicas in its ring; `record` is reported only then. */
  replica: boolean;
  /** The checksum of that ring: a client accepts the answer only when it routes by the same ring. */
  ringChecksum: string;
  /** The write this node holds for the key (a tombstone has `valueJson: null`); undefined when none. */
  record: StoredRecord | undefined;
}

/** `DataNode.readNow`'s answer when a read needs more than this node's store: use `execute`. */
export const notImmediate: unique symbol = Symbol('not immediate');

export interface PeerRequester {
  request<T extends PeerRequest>(
    to: NodeId,
    request: T,
    timeoutMs?: number,
  ): Promise<PeerReplyByRequest[T['type']]>;
}

export interface DataNodeDeps {
  self: NodeId;
  clock: Clock;
  hlc: HybridLogicalClock;
  store: Store;
  peers: PeerRequester;
  placement: Placement;
  config: ReplicationConfig;
  /**
   * False while this node's view of the ring cannot be trusted (it is still joining through its seeds):
   * with a partial ring it would pick too few replicas and answer quorum reads from itself alone.
   */
  ready: () => boolean;
  hintDeliveryIntervalMs?: number;
  /** When a turn's replica batches leave (replica-batch.ts; queueMicrotask by default). */
  defer?: (callback: () => void) => void;
}

export class DataNode {
  readonly coordinator: Coordinator;
  readonly handoff: HintDelivery;
  /** Client operations this node sent on to another coordinator (the `forwarded` stat). */
  forwarded = 0;
  readonly channel: ReplicaChannel;
  /** Replica reads and writes to other nodes, batched per peer and turn. */
  readonly batches: ReplicaBatches;

  constructor(private readonly deps: DataNodeDeps) {
    const batches = new ReplicaBatches({
      peers: deps.peers,
      timeoutMs: deps.config.replicaTimeoutMs,
      ...(deps.defer ? { defer: deps.defer } : {}),
    });
    this.batches = batches;
    this.channel = {
      writeReplica: (node, key, record, hintFor) => {
        const { sink, promise } = promiseSink<boolean>();
        batches.write(node, hintFor ? { key, record, hintFor } : { key, record }, sink);
        return promise;
      },
      readReplica: (node, key) => {
        const { sink, promise } = promiseSink<StoredRecord | undefined>();
        batches.read(node, key, sink);
        return promise;
      },
      readReplicaTo: (node, key, sink, known) => batches.read(node, key, sink, known),
      writeReplicaTo: (node, key, record, sink) => batches.write(node, { key, record }, sink),
      writeReplicaIfTo: (node, key, record, expect, sink) =>
        batches.writeIf(node, { key, record, expect }, sink),
    };
    this.coordinator = new Coordinator({ ...deps, channel: this.channel });
    this.handoff = new HintDelivery({
      self: deps.self,
      clock: deps.clock,
      store: deps.store,
      channel: this.channel,
      placement: deps.placement,
      ...(deps.hintDeliveryIntervalMs ? { intervalMs: deps.hintDeliveryIntervalMs } : {}),
    });
  }

  start(): void {
    this.handoff.start();
  }

  stop(): void {
    this.handoff.stop();
  }

  /** The coordinator for `key`: the first live node of its preference list (this node if none is). */
  coordinatorFor(key: string, unreachable?: ReadonlySet<NodeId>): NodeId {
    const replicas = this.coordinator.replicasOf(key);
    return (
      replicas.find(
        (node) => node === this.deps.self || (this.deps.placement.isLive(node) && !unreachable?.has(node)),
      ) ?? this.deps.self
    );
  }

  /**
   * A read this node can answer at once from its own store: one answer is all the consistency level needs
   * (rf 1, consistency one, or a read quorum of 1) and this node is one of the key's replicas. The answer
   * is the one `execute` would give (with one answer there is nothing to compare or repair), without a
   * promise, a deadline timer or a forward. `notImmediate` otherwise; the caller then uses `execute`.
   * A tombstone comes back as the record it is; `undefined` is a key this replica never held.
   */
  readNow(key: string, consistency: Consistency): StoredRecord | undefined | typeof notImmediate {
    if (!this.deps.ready()) return notImmediate;
    const replicas = this.coordinator.replicasOf(key);
    if (requiredAnswers(consistency, 'read', replicas.length, this.deps.config) !== 1) return notImmediate;
    if (!replicas.includes(this.deps.self)) return notImmediate;
    this.coordinator.stats.coordinated++;
    const record = this.deps.store.get(key);
    if (record) this.deps.hlc.observe(record.version);
    return record;
  }

  /**
   * This node's copy of `key` as one of its replicas (the `read_replica` extension): the store alone, no
   * quorum and no read repair; the client compares several such answers itself. A node still joining, or
   * not among the key's replicas in its ring, reports no record.
   */
  readAsReplica(key: string): ReplicaRead {
    const ringChecksum = this.deps.placement.ring().checksum;
    if (!this.deps.ready() || !this.coordinator.replicasOf(key).includes(this.deps.self)) {
      return { replica: false, ringChecksum, record: undefined };
    }
    return { replica: true, ringChecksum, record: this.deps.store.get(key) };
  }

  /** A client operation arriving at this node: coordinate it here, or forward it one hop. */
  execute(
    op: DataOp,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
  ): Promise<StoredRecord> {
    if (!this.deps.ready()) return Promise.reject(this.notReady());
    const target = this.coordinatorFor(key);
    // The usual case (a ring-aware client): coordinate here, without an async frame of our own.
    if (target === this.deps.self) return this.coordinator.execute(op, key, valueJson, consistency);
    return this.executeElsewhere(target, op, key, valueJson, consistency);
  }

  private async executeElsewhere(
    first: NodeId,
    op: DataOp,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
  ): Promise<StoredRecord> {
    const request = {
      type: 'forward' as const,
      op,
      key,
      consistency,
      ...(valueJson === undefined ? {} : { valueJson }),
    };
    // The coordinator may need a read round and a write round, each bounded by replicaTimeoutMs.
    const timeoutMs = 2 * this.deps.config.replicaTimeoutMs + 500;
    const unreachable = new Set<NodeId>();
    let target = first;
    let reply: Awaited<ReturnType<typeof this.forward>>;
    for (;;) {
      if (target === this.deps.self) return this.coordinator.execute(op, key, valueJson, consistency);
      this.forwarded++;
      try {
        reply = await this.forward(target, request, timeoutMs);
        break;
      } catch (error) {
        // The coordinator could not be reached (it crashed and failure detection has not noticed yet): the
        // transport now reports it not live. Fail over to the next live node of the preference list, at most
        // once per replica. An UNAVAILABLE the coordinator itself answered (too few replicas) is final, and
        // a TIMEOUT is not retried: the operation may have been applied.
        const lost = error instanceof RingKvError && error.code === 'UNAVAILABLE';
        if (!lost || this.deps.placement.isLive(target)) throw error;
        unreachable.add(target);
        target = this.coordinatorFor(key, unreachable);
      }
    }
    if (reply.version === undefined) {
      throw new RingKvError('INTERNAL', `coordinator ${target} answered ${op} without a version`);
    }
    this.deps.hlc.observe(reply.version);
    return {
      valueJson: reply.deleted ? null : (reply.valueJson ?? null),
      version: reply.version,
      writer: reply.writer ?? target,
    };
  }

  private forward(target: NodeId, request: Extract<PeerRequest, { type: 'forward' }>, timeoutMs: number) {
    return this.deps.peers.request(target, request, timeoutMs);
  }

  /**
   * Serves one request from another node: the reply itself when this node's store answers at once (reads,
   * and writes to the memory engine), a promise when something is still to come (durability on disk, a
   * forwarded operation). Throws (or rejects) a RingKvError to answer with its code.
   */
  handle(from: NodeId, request: PeerRequest): PeerReply | Promise<PeerReply> {
    switch (request.type) {
      case 'replica-write': {
        const applied = this.applyWrite(request.key, request.record, request.hintFor);
        if (typeof applied === 'boolean') return { type: 'write-ack', applied };
        return applied.then((done) => ({ type: 'write-ack', applied: done }));
      }
      case 'replica-read': {
        const record = this.deps.store.get(request.key);
        return { type: 'read-reply', record: record ?? null };
      }
      case 'replica-reads':
        return { type: 'read-replies', results: this.readMany(request) };
      case 'replica-writes':
        return this.applyWrites(request.writes);
      case 'forward':
        return this.coordinateForwarded(request);
      case 'stats': {
        const counts = this.deps.store.counts();
        return { type: 'stats-reply', keys: counts.keys, bytes: counts.bytes };
      }
    }
    throw new RingKvError('BAD_REQUEST', `unknown request from ${from}`);
  }

  /**
   * A batch of replica writes, each applied in order and answered on its own (one failing key does not
   * fail the others). Every write is decided in this call, so a conditional write sees the writes before
   * it in the batch; the reply waits only for the writes whose durability is still to come.
   */
  private applyWrites(writes: readonly ReplicaWriteItem[]): WriteAcks | Promise<WriteAcks> {
    const results: WriteAcks['results'] = new Array(writes.length);
    let waiting: Array<Promise<void>> | undefined;
    for (let index = 0; index < writes.length; index++) {
      const write = writes[index]!;
      let outcome: WriteOutcome;
      try {
        outcome =
          write.expect === undefined
            ? this.applyWrite(write.key, write.record, write.hintFor)
            : this.applyWriteIf(write);
      } catch (error) {
        results[index] = keyFailure(error);
        continue;
      }
      if (!(outcome instanceof Promise)) {
        results[index] = outcome;
        continue;
      }
      waiting ??= [];
      waiting.push(
        outcome.then(
          (applied) => {
            results[index] = applied;
          },
          (error: unknown) => {
            results[index] = keyFailure(error);
          },
        ),
      );
    }
    const acks: WriteAcks = { type: 'write-acks', results };
    return waiting === undefined ? acks : Promise.all(waiting).then(() => acks);
  }

  /** A forwarded client operation, coordinated here whatever this node's view says: at most one hop. */
  private async coordinateForwarded(request: Extract<PeerRequest, { type: 'forward' }>): Promise<PeerReply> {
    this.checkReady();
    const record = await this.coordinator.execute(
      request.op,
      request.key,
      request.valueJson,
      request.consistency,
    );
    if (record.valueJson === null) {
      return {
        type: 'forward-reply',
        key: request.key,
        version: record.version,
        writer: record.writer,
        deleted: true,
      };
    }
    return {
      type: 'forward-reply',
      key: request.key,
      valueJson: record.valueJson,
      version: record.version,
      writer: record.writer,
    };
  }

  private checkReady(): void {
    if (!this.deps.ready()) throw this.notReady();
  }

  private notReady(): RingKvError {
    return new RingKvError('UNAVAILABLE', `${this.deps.self} is still joining the cluster; retry shortly`);
  }

  /** Each key's record, or `true` where the sender said it holds that same write (`known`). */
  private readMany(request: ReplicaReadBatch): Array<PeerRecord | null | PeerKeyFailure | true> {
    const { keys, known } = request;
    if (known && known.length !== keys.length) {
      throw new RingKvError('BAD_REQUEST', `replica-reads has ${keys.length} keys but ${known.length} known`);
    }
    const results: Array<PeerRecord | null | PeerKeyFailure | true> = new Array(keys.length);
    for (let index = 0; index < keys.length; index++) {
      let record: StoredRecord | undefined;
      try {
        record = this.deps.store.get(keys[index]!);
      } catch (error) {
        results[index] = keyFailure(error);
        continue;
      }
      const held = known?.[index];
      results[index] = held && sameWrite(record, held) ? true : (record ?? null);
    }
    return results;
  }

  /**
   * A conditional write (single-round-write.ts): applied only if this replica holds exactly `expect`,
   * else refused with what it holds. The check and the store's own last-writer-wins check run in the
   * same call (`get` sees writes still in flight), so no other write slips between them.
   */
  private applyWriteIf(write: ReplicaWriteItem): WriteOutcome {
    if (write.hintFor !== undefined || write.expect === undefined) {
      throw new RingKvError('BAD_REQUEST', 'a conditional replica write has no hintFor');
    }
    const held = this.deps.store.get(write.key);
    const expected = write.expect === null ? held === undefined : sameWrite(held, write.expect);
    if (!expected) return { held: held ?? null };
    return this.applyWrite(write.key, write.record, undefined);
  }

  /** Applies a replica write (or keeps it as a hint): whether it applied, at once or once durable. */
  private applyWrite(
    key: string,
    record: StoredRecord,
    hintFor: NodeId | undefined,
  ): boolean | Promise<boolean> {
    if (hintFor !== undefined && hintFor !== this.deps.self) return this.keepHint(hintFor, key, record);
    this.deps.hlc.observe(record.version);
    return this.deps.store.write(key, record);
  }

  private async keepHint(target: NodeId, key: string, record: StoredRecord): Promise<boolean> {
    const kept = await this.deps.store.putHint({ target, key, record });
    if (!kept) throw new RingKvError('UNAVAILABLE', 'this node holds its maximum of hints');
    return true;
  }
}

type WriteAcks = PeerReplyByRequest['replica-writes'];
/** One replica write's answer: applied or not, refused with what this replica holds, or still to come. */
type WriteOutcome = boolean | PeerWriteRefused | Promise<boolean>;

function keyFailure(error: unknown): PeerKeyFailure {
  if (error instanceof RingKvError) return { error: error.toBody() };
  const reason = error instanceof Error ? error.message : String(error);
  return { error: { code: 'INTERNAL', message: `replica store failed: ${reason}`.slice(0, 4096) } };
}

/** Alive, joining, leaving or merely suspect: a data request may reach it. */
export function worthSendingTo(membership: Pick<Membership, 'isLive' | 'member'>, id: NodeId): boolean {
  return membership.isLive(id) || membership.member(id)?.status === 'suspect';
}
