/**
 * Runs one decoded request against the NodeApi and answers with the result's JSON text: the body the HTTP
 * API returns and the `result` of a WebSocket reply, built in one place so both doors answer alike.
 * Every request is timed and counted here. Anything thrown that is not a RingKvError is a bug: it is
 * logged with the request id and answered as INTERNAL, so no request can take the node down.
 */
import { type ClientRequest, type Consistency, RingKvError } from '@ringkv/protocol';
import { notImmediate } from '../core/replica.js';
import type { StoredRecord } from '../core/types.js';
import type { NodeApi } from '../node-api.js';
import type { Logger } from './logger.js';
import type { NodeMetrics, Transport } from './metrics.js';
import {
  type BatchReplyText,
  okReplyText,
  recordReplyText,
  recordResultText,
  replicaReadResultText,
} from './replies.js';

/** The requests the node answers; subscribe and unsubscribe belong to a WebSocket connection. */
export type NodeRequest = Exclude<ClientRequest, { op: 'subscribe' | 'unsubscribe' }>;
type ReadReplicaRequest = Extract<NodeRequest, { op: 'read_replica' }>;

/** `Dispatcher.replyNowInto`'s answer when the request was not answered at once (a clock never reads it). */
export const notAnswered = -1;

type LiveRecord = StoredRecord & { valueJson: string };

/** Reads a node can answer at once, without a promise (core/replica.ts, `DataNode.readNow`). */
export interface ImmediateReads {
  readNow(key: string, consistency: Consistency): StoredRecord | undefined | typeof notImmediate;
}

export class Dispatcher {
  constructor(
    private readonly node: NodeApi,
    private readonly metrics: NodeMetrics,
    private readonly logger: Logger,
    /** The node's data plane (ClusterNode `data`); without it every request takes the promise path. */
    private readonly immediate?: ImmediateReads,
  ) {}

  /**
   * The result's JSON text when the request can be answered at once (a read this node's store alone
   * answers; see `ImmediateReads`), `undefined` when it needs `run`. Throws KEY_NOT_FOUND as `run` rejects
   * with it. Counted and timed like `run`.
   */
  runNow(request: NodeRequest, transport: Transport): string | undefined {
    if (request.op === 'read_replica') return this.replicaReadNow(request, transport, performance.now());
    if (request.op !== 'read') return undefined;
    const startedMs = performance.now();
    const record = this.liveRecordNow(request.key, request.consistency, transport, startedMs);
    if (record === undefined) return undefined;
    const text = recordResultText({ key: request.key, valueJson: record.valueJson, version: record.version });
    this.metrics.recordOp('read', transport, 'ok', performance.now() - startedMs);
    return text;
  }

  /** `runNow`, answered with the whole ok reply of a WebSocket request (`{"id","ok","result"}`). */
  replyNow(request: NodeRequest, transport: Transport): string | undefined {
    if (request.op === 'read_replica') {
      return okReplyText(request.id, this.replicaReadNow(request, transport, performance.now()));
    }
    if (request.op !== 'read') return undefined;
    const startedMs = performance.now();
    const record = this.liveRecordNow(request.key, request.consistency, transport, startedMs);
    if (record === undefined) return undefined;
    const text = recordReplyText(request.id, request.key, record.valueJson, record.version);
    this.metrics.recordOp('read', transport, 'ok', performance.now() - startedMs);
    return text;
  }

  /**
   * `replyNow` added to a batch's reply. A batch's reads answered at once run back to back, so one clock
   * reading each is enough: `startedMs` is when this one began (the batch's start or the previous read's
   * end), and the answer is when it ended (`performance.now()`), or `notAnswered` when the request needs
   * `run` (then nothing was added or counted).
   */
  replyNowInto(request: NodeRequest, transport: Transport, batch: BatchReplyText, startedMs: number): number {
    if (request.op === 'read_replica') {
      batch.add(okReplyText(request.id, this.replicaReadNow(request, transport, startedMs)));
      return performance.now();
    }
    if (request.op !== 'read') return notAnswered;
    const record = this.liveRecordNow(request.key, request.consistency, transport, startedMs);
    if (record === undefined) return notAnswered;
    batch.addRecordReply(request.id, request.key, record.valueJson, record.version);
    const endedMs = performance.now();
    this.metrics.recordOp('read', transport, 'ok', endedMs - startedMs);
    return endedMs;
  }

  /** A `read_replica` result: always answered at once (this node's store alone), counted and timed. */
  private replicaReadNow(request: ReadReplicaRequest, transport: Transport, startedMs: number): string {
    const { key, digest } = request;
    const text = replicaReadResultText(key, this.node.nodeId, this.node.readReplica(key), digest);
    this.metrics.recordOp('read_replica', transport, 'ok', performance.now() - startedMs);
    return text;
  }

  /**
   * The live record of `key` when this node's store alone answers the read, `undefined` when the read
   * needs `run`. A missing key or a tombstone is counted and thrown as KEY_NOT_FOUND, as `run` rejects.
   */
  private liveRecordNow(
    key: string,
    consistency: Consistency | undefined,
    transport: Transport,
    startedMs: number,
  ): LiveRecord | undefined {
    if (this.immediate === undefined) return undefined;
    const record = this.immediate.readNow(key, consistency ?? 'quorum');
    if (record === notImmediate) return undefined;
    if (record === undefined || record.valueJson === null) {
      this.metrics.recordOp('read', transport, 'KEY_NOT_FOUND', performance.now() - startedMs);
      throw new RingKvError('KEY_NOT_FOUND', `key ${JSON.stringify(key)} does not exist`);
    }
    return record as LiveRecord;
  }

  /**
   * Resolves to the result's JSON text; rejects only with a RingKvError. `valueJson` is the value of a
   * create or update, already encoded and checked against the value limit by the decoder.
   */
  async run(
    request: NodeRequest,
    valueJson: string | undefined,
    transport: Transport,
    requestId: string,
  ): Promise<string> {
    const startedMs = performance.now();
    try {
      const text = await this.execute(request, valueJson);
      this.metrics.recordOp(request.op, transport, 'ok', performance.now() - startedMs);
      return text;
    } catch (error) {
      const ringError = this.toRingKvError(error, request.op, requestId);
      this.metrics.recordOp(request.op, transport, ringError.code, performance.now() - startedMs);
      throw ringError;
    }
  }

  private async execute(request: NodeRequest, valueJson: string | undefined): Promise<string> {
    const node = this.node;
    switch (request.op) {
      case 'create':
        return recordResultText(await node.create(request.key, valueJson!, request.consistency ?? 'quorum'));
      case 'read':
        return recordResultText(await node.read(request.key, request.consistency ?? 'quorum'));
      case 'update':
        return recordResultText(await node.update(request.key, valueJson!, request.consistency ?? 'quorum'));
      case 'delete':
        return JSON.stringify(await node.delete(request.key, request.consistency ?? 'quorum'));
      case 'read_replica':
        return replicaReadResultText(request.key, node.nodeId, node.readReplica(request.key), request.digest);
      case 'get_node':
        return JSON.stringify(node.getNode(request.key));
      case 'add_node':
        return JSON.stringify(await node.addNode(request.node));
      case 'remove_node':
        return JSON.stringify(await node.removeNode(request.node));
      case 'nodes':
        return JSON.stringify(node.nodes());
      case 'ring':
        return JSON.stringify(node.ring());
    }
  }

  toRingKvError(error: unknown, op: string, requestId: string): RingKvError {
    if (error instanceof RingKvError) return error;
    this.logger.error({ err: error, requestId, op }, 'internal error answering a request');
    return new RingKvError(
      'INTERNAL',
      `internal error (request id ${requestId}); the node's log has the details`,
      {
        cause: error,
      },
    );
  }
}
