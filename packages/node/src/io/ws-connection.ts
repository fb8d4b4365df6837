/**
 * One client WebSocket connection (SPEC section 3): text frames of JSON, each a request or a batch.
 *
 * - Pipelining: every request runs as soon as its frame arrives; its reply is sent when it is done, so
 *   replies may overtake each other. Requests on the same key apply in the order this connection sent
 *   them (ReportedKeyLanes), so a pipelined read sees the create sent before it.
 * - Batches: the requests of an array frame run concurrently, like pipelined ones; their replies go back
 *   in one frame, in request order.
 * - Reads the node answers at once (rf 1 or consistency one on a replica: `Dispatcher.runNow`; every
 *   `read_replica`) are answered
 *   in the same call, without a promise, unless an earlier request on the same key is still in flight on
 *   this connection (then they queue behind it like any other request).
 * - Bounds: at most `requestsInflightMax` requests without a reply; a frame that would exceed it is
 *   answered UNAVAILABLE at once (retry after replies arrive). Frames over frameBytesMax never get here:
 *   ws closes the connection with 1009. A client that stops reading its replies is closed with 1008.
 * - Nothing a client sends throws out of here: bad frames get a BAD_REQUEST reply and the connection stays.
 */
import {
  topics as allTopics,
  type DecodedRequest,
  decodeFrame,
  type ErrorBody,
  limits,
  type RequestId,
  RingKvError,
  type Topic,
} from '@ringkv/protocol';
import type { RawData, WebSocket } from 'ws';
import { type Dispatcher, notAnswered } from './dispatch.js';
import { ReportedKeyLanes } from './key-lanes.js';
import type { Logger } from './logger.js';
import { BatchReplyText, errorReplyText, okReplyText } from './replies.js';

export interface ConnectionContext {
  dispatcher: Dispatcher;
  requestsInflightMax: number;
  logger: Logger;
  /** Pushes the current state of each topic to a connection that just subscribed to it. */
  pushSnapshot(connection: ClientConnection, topics: readonly Topic[]): void;
  onReject(reason: string): void;
}

interface Answer {
  text: string;
  /** Runs after the reply is sent (a subscription's first snapshot follows its reply). */
  after?: () => void;
}

export class ClientConnection {
  readonly topics = new Set<Topic>();
  private inflight = 0;
  /** Keys with a request in flight on the asynchronous path: later requests on them, reads too, queue. */
  private readonly lanes = new ReportedKeyLanes();
  private requestSequence = 0;

  private corked = false;

  /**
   * `transport` is the TCP socket under `socket`: replies finished in the same turn of the event loop are
   * corked into one write instead of one system call each.
   */
  constructor(
    readonly socket: WebSocket,
    readonly connectionId: number,
    private readonly context: ConnectionContext,
    private readonly transport?: { cork(): void; uncork(): void },
  ) {}

  get inflightRequests(): number {
    return this.inflight;
  }

  onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.context.onReject('binary_frame');
      this.send(
        errorReplyText(null, badRequest('binary frames are not accepted; send JSON as a text frame')),
      );
      return;
    }
    const frame = decodeFrame(rawText(data));
    if (frame.kind === 'malformed') {
      this.context.onReject('malformed_frame');
      this.send(errorReplyText(null, frame.error.toBody()));
    } else if (frame.kind === 'single') {
      this.onSingle(frame.request);
    } else {
      this.onBatch(frame.requests);
    }
  }

  /** Sends a pushed event unless the client is behind on reading; then the event is dropped. */
  pushEvent(text: string): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > limits.clientEventBufferedBytesHighWater) return false;
    this.socket.send(text);
    return true;
  }

  private onSingle(request: DecodedRequest): void {
    if (!this.admit(1)) {
      this.send(errorReplyText(idOf(request), this.overloaded(1)));
      return;
    }
    const now = this.answerNow(request);
    if (now !== undefined) {
      this.inflight -= 1;
      this.sendNow(now);
      return;
    }
    this.answer(request).then((answer) => {
      this.inflight -= 1;
      try {
        this.send(answer.text);
        answer.after?.();
      } catch (error) {
        this.onSendFailure(error);
      }
    }, this.onAnswerFailure);
  }

  private onBatch(requests: DecodedRequest[]): void {
    const count = requests.length;
    if (!this.admit(count)) {
      const error = this.overloaded(count);
      this.send(`[${requests.map((request) => errorReplyText(idOf(request), error)).join(',')}]`);
      return;
    }
    const reply = new BatchReplyText(count);
    const afters: Array<() => void> = [];
    let waiting = 0;
    // One clock reading per read answered at once: each one's time runs from the previous one's end.
    let clockMs = performance.now();
    for (let index = 0; index < count; index++) {
      const request = requests[index]!;
      const endedMs = this.answerNowInto(request, reply, clockMs);
      if (endedMs !== notAnswered) {
        clockMs = endedMs;
        continue;
      }
      const place = reply.reserve();
      waiting++;
      // Closures here are anonymous arrows: the dev loader (tsx, esbuild's keepNames) wraps each named one
      // in a `__name` call that defines its name, ~1.5% of a node's CPU in batches when made per request.
      this.answer(request).then((answer) => {
        try {
          reply.fill(place, answer.text);
          if (answer.after) afters.push(answer.after);
          if (--waiting === 0) this.finishBatch(count, reply, afters);
        } catch (error) {
          this.onSendFailure(error);
        }
      }, this.onAnswerFailure);
      clockMs = performance.now();
    }
    if (waiting === 0) {
      try {
        this.finishBatch(count, reply, afters);
      } catch (error) {
        this.onSendFailure(error);
      }
    }
  }

  /** Sends a batch's reply once every request in it is answered. */
  private finishBatch(count: number, reply: BatchReplyText, afters: ReadonlyArray<() => void>): void {
    this.inflight -= count;
    this.send(reply.text());
    for (const after of afters) after();
  }

  /** `send` outside a promise chain: a failure is handled as the chain's catch would. */
  private sendNow(text: string): void {
    try {
      this.send(text);
    } catch (error) {
      this.onSendFailure(error);
    }
  }

  /**
   * The reply text when `decoded` is answered at once (a decode error, or a read the node answers from its
   * store), `undefined` when it must take the asynchronous path.
   */
  private answerNow(decoded: DecodedRequest): string | undefined {
    if (!decoded.ok) return errorReplyText(decoded.id, decoded.error.toBody());
    const request = decoded.request;
    if ((request.op !== 'read' && request.op !== 'read_replica') || this.lanes.has(request.key)) {
      return undefined;
    }
    try {
      return this.context.dispatcher.replyNow(request, 'ws');
    } catch (error) {
      const requestId = `ws-${this.connectionId}-${++this.requestSequence}`;
      const ringError = this.context.dispatcher.toRingKvError(error, request.op, requestId);
      return errorReplyText(request.id, ringError.toBody());
    }
  }

  /**
   * `answerNow` for a batch: the reply goes into the batch's. Answers when it was done (`performance.now()`),
   * or `notAnswered` when it must take `answer`. A decode error is not timed.
   */
  private answerNowInto(decoded: DecodedRequest, reply: BatchReplyText, startedMs: number): number {
    if (!decoded.ok) {
      reply.add(errorReplyText(decoded.id, decoded.error.toBody()));
      return performance.now();
    }
    const request = decoded.request;
    if ((request.op !== 'read' && request.op !== 'read_replica') || this.lanes.has(request.key)) {
      return notAnswered;
    }
    try {
      return this.context.dispatcher.replyNowInto(request, 'ws', reply, startedMs);
    } catch (error) {
      const requestId = `ws-${this.connectionId}-${++this.requestSequence}`;
      const ringError = this.context.dispatcher.toRingKvError(error, request.op, requestId);
      reply.add(errorReplyText(request.id, ringError.toBody()));
      return performance.now();
    }
  }

  /** `answer` is built never to reject: if it did, the bug is handled as a failed send, never unhandled. */
  private readonly onAnswerFailure = (error: unknown): void => this.onSendFailure(error);

  /** Only sending can fail after an answer: a bug to log, never an unhandled rejection. */
  private onSendFailure(error: unknown): void {
    this.context.logger.error(
      { err: error, connectionId: this.connectionId },
      'failed to send a reply; closing',
    );
    this.socket.terminate();
  }

  private admit(count: number): boolean {
    if (this.inflight + count > this.context.requestsInflightMax) {
      this.context.onReject('inflight_limit');
      return false;
    }
    this.inflight += count;
    return true;
  }

  private overloaded(count: number): ErrorBody {
    return {
      code: 'UNAVAILABLE',
      message: `this connection has ${this.inflight} requests in flight; ${count} more would pass the limit of ${this.context.requestsInflightMax}: wait for replies`,
    };
  }

  /** Never rejects: every outcome is a reply text. */
  private async answer(decoded: DecodedRequest): Promise<Answer> {
    if (!decoded.ok) return { text: errorReplyText(decoded.id, decoded.error.toBody()) };
    const { request, valueJson } = decoded;
    const requestId = `ws-${this.connectionId}-${++this.requestSequence}`;
    try {
      if (request.op === 'subscribe') return this.subscribe(request.id, request.topics);
      if (request.op === 'unsubscribe') return this.unsubscribe(request.id, request.topics);
      const dispatcher = this.context.dispatcher;
      if (!('key' in request) || request.op === 'get_node') {
        return { text: okReplyText(request.id, await dispatcher.run(request, valueJson, 'ws', requestId)) };
      }
      // Requests on one key from this connection apply in the order sent (read-your-writes in a pipeline
      // or a batch); requests on different keys still run concurrently. The task is an anonymous arrow (no
      // `__name` per request under the dev loader; see onBatch).
      const key = request.key;
      try {
        const text = await this.lanes.run(key, () => dispatcher.run(request, valueJson, 'ws', requestId));
        return { text: okReplyText(request.id, text) };
      } finally {
        this.lanes.done(key);
      }
    } catch (error) {
      const ringError = this.context.dispatcher.toRingKvError(error, request.op, requestId);
      return { text: errorReplyText(request.id, ringError.toBody()) };
    }
  }

  private subscribe(id: RequestId, topics: readonly Topic[]): Answer {
    const added = topics.filter((topic) => !this.topics.has(topic));
    for (const topic of topics) this.topics.add(topic);
    return {
      text: okReplyText(id, JSON.stringify({ topics: this.subscribedTopics() })),
      after: () => this.context.pushSnapshot(this, added),
    };
  }

  private unsubscribe(id: RequestId, topics: readonly Topic[] | undefined): Answer {
    for (const topic of topics ?? allTopics) this.topics.delete(topic);
    return { text: okReplyText(id, JSON.stringify({ topics: this.subscribedTopics() })) };
  }

  private subscribedTopics(): Topic[] {
    return allTopics.filter((topic) => this.topics.has(topic));
  }

  private send(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > limits.clientReplyBufferedBytesMax) {
      // The client sends but does not read: queuing more replies would grow without bound.
      this.context.onReject('slow_reader');
      this.context.logger.warn(
        { connectionId: this.connectionId },
        'closing a client that does not read its replies',
      );
      this.socket.close(1008, 'replies are not being read');
      return;
    }
    if (this.transport !== undefined && !this.corked) {
      this.corked = true;
      this.transport.cork();
      // nextTick runs once the current batch of promise callbacks has drained: every reply they send
      // goes out in the same write.
      process.nextTick(this.uncork);
    }
    this.socket.send(text);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.transport!.uncork();
  };
}

function badRequest(message: string): ErrorBody {
  return new RingKvError('BAD_REQUEST', message).toBody();
}

function idOf(request: DecodedRequest): RequestId | null {
  return request.ok ? request.request.id : request.id;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
