/**
 * Runs one decoded request against the NodeApi and answers with the result's JSON text: the body the HTTP
 * API returns and the `result` of a WebSocket reply, built in one place so both doors answer alike.
 * Every request is timed and counted here. Anything thrown that is not a RingKvError is a bug: it is
 * logged with the request id and answered as INTERNAL, so no request can take the node down.
 */
import { type ClientRequest, RingKvError } from '@ringkv/protocol';
import type { NodeApi } from '../node-api.js';
import type { Logger } from './logger.js';
import type { NodeMetrics, Transport } from './metrics.js';
import { recordResultText } from './replies.js';

/** The requests the node answers; subscribe and unsubscribe belong to a WebSocket connection. */
export type NodeRequest = Exclude<ClientRequest, { op: 'subscribe' | 'unsubscribe' }>;

export class Dispatcher {
  constructor(
    private readonly node: NodeApi,
    private readonly metrics: NodeMetrics,
    private readonly logger: Logger,
  ) {}

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
