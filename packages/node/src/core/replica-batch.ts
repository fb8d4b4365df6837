/**
 * Replica reads and writes this node sends one peer during one turn leave as ONE batch request
 * (`replica-reads`, `replica-writes`), so the envelope, the request id, its promise and timeout, the
 * peer's decoding and the reply matching are paid once per batch, not once per key. Each key still gets
 * its own answer: the reply carries one result per key, in order, and one key's failure fails only that
 * key; a batch that fails as a whole (the peer is lost, the deadline passed) fails each of its keys.
 *
 * Pure: the end of the turn is the injected `defer` (a microtask by default, which the simulator drains
 * between events), and every batch is bounded in keys and in estimated bytes (limits.ts).
 */
import {
  limits,
  type PeerError,
  type PeerRecord,
  type PeerReplyByRequest,
  type ReplicaReadBatch,
  type ReplicaWriteBatch,
  RingKvError,
} from '@ringkv/protocol';
import type { PeerRequester } from './replica.js';
import type { NodeId, StoredRecord } from './types.js';

/** Where one key's answer goes: a quorum round, or a promise's resolve/reject (see `ReplicaBatches.read`). */
export interface AnswerSink<T> {
  answer(node: NodeId, value: T): void;
  fail(node: NodeId, error: unknown): void;
}

interface Batch<Item, T> {
  items: Item[];
  sinks: Array<AnswerSink<T>>;
  chars: number;
}

interface WriteBatch {
  items: WriteItem[];
  sinks: WriteSink[];
  chars: number;
}

/** A read batch also carries, per key, the record the sender holds (so the peer can answer "same"). */
interface ReadBatch extends Batch<string, StoredRecord | undefined> {
  known: Array<StoredRecord | undefined>;
  anyKnown: boolean;
}

/**
 * A write to one replica. With `expect` (a conditional write; see core/single-round-write.ts) the replica
 * applies it only if it holds exactly that write (null: no record of the key), and otherwise answers with
 * what it holds.
 */
export type WriteItem = {
  key: string;
  record: StoredRecord;
  hintFor?: NodeId;
  expect?: { version: number; writer: NodeId } | null;
};

/** A conditional write's answer: applied, or refused with the record the replica holds (undefined: none). */
export type ConditionalAnswer = true | { held: StoredRecord | undefined };

/** A plain write's sink takes booleans, a conditional one's ConditionalAnswer (methods are bivariant). */
type WriteSink = AnswerSink<boolean | ConditionalAnswer>;

export interface ReplicaBatchesDeps {
  peers: PeerRequester;
  timeoutMs: number;
  /** Runs `callback` once the current turn's work is done (queueMicrotask by default). */
  defer?: (callback: () => void) => void;
}

/** Per key and per record: a bound on the envelope text around it (quotes, field names, separators). */
const itemOverheadChars = 96;

export class ReplicaBatches {
  readonly stats = { readBatches: 0, readKeys: 0, writeBatches: 0, writeKeys: 0 };
  private reads = new Map<NodeId, ReadBatch>();
  private writes = new Map<NodeId, WriteBatch>();
  private scheduled = false;
  private readonly defer: (callback: () => void) => void;
  private readonly flushNow = () => this.flush();

  constructor(private readonly deps: ReplicaBatchesDeps) {
    this.defer = deps.defer ?? queueMicrotask;
  }

  /**
   * Reads `key` from `node`'s store; `sink` gets the record (undefined: none held) or the failure. With
   * `known` (this node's own record of the key), a peer holding that same write answers "same" instead of
   * sending it back, and `sink` gets `known` itself.
   */
  read(node: NodeId, key: string, sink: AnswerSink<StoredRecord | undefined>, known?: StoredRecord): void {
    let batch = this.reads.get(node);
    if (!batch) {
      batch = { items: [], sinks: [], chars: 0, known: [], anyKnown: false };
      this.reads.set(node, batch);
    }
    batch.items.push(key);
    batch.sinks.push(sink);
    batch.known.push(known);
    if (known) batch.anyKnown = true;
    batch.chars += (key.length + (known?.writer.length ?? 0)) * 2 + itemOverheadChars;
    if (batch.items.length >= limits.replicaBatchKeysMax || batch.chars >= limits.replicaBatchCharsMax) {
      this.reads.delete(node);
      this.sendReads(node, batch);
    } else this.schedule();
  }

  /** Writes `record` to `node` (as a hint for `hintFor` when given); `sink` gets `applied` or the failure. */
  write(node: NodeId, item: WriteItem, sink: AnswerSink<boolean>): void {
    this.addWrite(node, item, sink);
  }

  /**
   * Writes `item.record` to `node` only if `node` holds exactly `item.expect` (null: nothing); `sink` gets
   * `true` (applied) or the record `node` holds instead, or the failure.
   */
  writeIf(
    node: NodeId,
    item: WriteItem & { expect: NonNullable<WriteItem['expect']> | null },
    sink: AnswerSink<ConditionalAnswer>,
  ): void {
    this.addWrite(node, item, sink);
  }

  private addWrite(node: NodeId, item: WriteItem, sink: WriteSink): void {
    const chars =
      (item.key.length + (item.record.valueJson?.length ?? 0) + (item.hintFor?.length ?? 0)) * 2 +
      item.record.writer.length * (item.expect ? 2 : 1) +
      itemOverheadChars;
    let batch = this.writes.get(node);
    if (batch && batch.chars + chars > limits.replicaBatchCharsMax) {
      // Adding this record would make the batch too large: the batch so far leaves now, alone.
      this.writes.delete(node);
      this.sendWrites(node, batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { items: [], sinks: [], chars: 0 };
      this.writes.set(node, batch);
    }
    batch.items.push(item);
    batch.sinks.push(sink);
    batch.chars += chars;
    if (batch.items.length >= limits.replicaBatchKeysMax) {
      this.writes.delete(node);
      this.sendWrites(node, batch);
    } else this.schedule();
  }

  /** Sends every open batch now. */
  flush(): void {
    this.scheduled = false;
    if (this.reads.size > 0) {
      const reads = this.reads;
      this.reads = new Map();
      for (const [node, batch] of reads) this.sendReads(node, batch);
    }
    if (this.writes.size > 0) {
      const writes = this.writes;
      this.writes = new Map();
      for (const [node, batch] of writes) this.sendWrites(node, batch);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.flushNow);
  }

  /** The batch's request; a requester that throws instead of rejecting fails the batch's keys all the same. */
  private send<R extends ReplicaReadBatch | ReplicaWriteBatch>(
    node: NodeId,
    request: R,
  ): Promise<PeerReplyByRequest[R['type']]> {
    try {
      return this.deps.peers.request(node, request, this.deps.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private sendReads(node: NodeId, batch: ReadBatch): void {
    this.stats.readBatches++;
    this.stats.readKeys += batch.items.length;
    const request: ReplicaReadBatch = { type: 'replica-reads', keys: batch.items };
    if (batch.anyKnown) {
      request.known = batch.known.map((record) =>
        record ? { version: record.version, writer: record.writer } : null,
      );
    }
    this.send(node, request).then(
      (reply) =>
        deliver(node, 'replica-reads', batch.sinks, reply.results, (result, index, sink) => {
          if (result === null) sink.answer(node, undefined);
          else if (result === true) {
            const known = batch.known[index];
            if (known) sink.answer(node, known);
            else sink.fail(node, new RingKvError('INTERNAL', `${node} answered "same" for a key sent alone`));
          } else if ('error' in result) sink.fail(node, keyFailure(result.error));
          else sink.answer(node, result satisfies PeerRecord);
        }),
      (error: unknown) => failAll(node, batch.sinks, error),
    );
  }

  private sendWrites(node: NodeId, batch: WriteBatch): void {
    this.stats.writeBatches++;
    this.stats.writeKeys += batch.items.length;
    this.send(node, { type: 'replica-writes', writes: batch.items }).then(
      (reply) =>
        deliver(node, 'replica-writes', batch.sinks, reply.results, (result, index, sink) => {
          if (typeof result === 'object' && 'error' in result) {
            sink.fail(node, keyFailure(result.error));
          } else if (batch.items[index]!.expect === undefined) {
            if (typeof result === 'boolean') sink.answer(node, result);
            else sink.fail(node, new RingKvError('INTERNAL', `${node} refused an unconditional write`));
          } else {
            // Acknowledged: the replica held the expected write, so it now holds this one (or, were the
            // clocks ever to run backwards, one at least as new): applied.
            const answer: ConditionalAnswer =
              typeof result === 'boolean' ? true : { held: result.held ?? undefined };
            sink.answer(node, answer);
          }
        }),
      (error: unknown) => failAll(node, batch.sinks, error),
    );
  }
}

/**
 * Hands each key's result to its sink, in order. A reply with another number of results than keys sent
 * fails every key (the transport checks this too; the simulator's network is another requester).
 */
function deliver<R, T>(
  node: NodeId,
  type: string,
  sinks: ReadonlyArray<AnswerSink<T>>,
  results: readonly R[],
  each: (result: R, index: number, sink: AnswerSink<T>) => void,
): void {
  if (!Array.isArray(results) || results.length !== sinks.length) {
    failAll(node, sinks, mismatch(node, type, sinks.length, results));
    return;
  }
  for (let index = 0; index < results.length; index++) each(results[index]!, index, sinks[index]!);
}

function failAll<T>(node: NodeId, sinks: ReadonlyArray<AnswerSink<T>>, error: unknown): void {
  for (const sink of sinks) sink.fail(node, error);
}

function keyFailure(error: PeerError): RingKvError {
  return new RingKvError(error.code as RingKvError['code'], error.message);
}

function mismatch(node: NodeId, type: string, expected: number, results: unknown): RingKvError {
  const got = Array.isArray(results) ? results.length : 'no';
  return new RingKvError('INTERNAL', `${node} answered ${type} of ${expected} keys with ${got} results`);
}

/** An AnswerSink that settles one promise (for callers that want one: hints, repairs, handoff). */
export function promiseSink<T>(): { sink: AnswerSink<T>; promise: Promise<T> } {
  let sink!: AnswerSink<T>;
  const promise = new Promise<T>((resolve, reject) => {
    sink = { answer: (_node, value) => resolve(value), fail: (_node, error) => reject(error) };
  });
  return { sink, promise };
}
