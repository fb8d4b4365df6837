/**
 * One WebSocket connection to one node: pipelined requests matched to replies by id, requests issued in the
 * same turn of the event loop sent as one batch frame, a bound on requests in flight with callers waiting
 * for a slot, and a deadline per request. It never reconnects; RingClient decides what happens next.
 */
import { type ClientRequest, type DashboardEvent, RingKvError } from '@ringkv/protocol';
import { ConnectionLostError, errorFromBody, redactUrl } from './errors.js';
import { fail, type Pending, type ReplySink, succeed } from './pending.js';
import { requestText } from './request-text.js';
import { SlotQueue } from './slot-queue.js';
import { socketOpen, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type RequestBody = WithoutId<ClientRequest>;

export type { ReplySink } from './pending.js';

export interface ConnectionOptions {
  inflightMax: number;
  waitersMax: number;
  batchRequestsMax: number;
  batchCharsMax: number;
  /**
   * Whether a turn's reads leave in frames apart from its writes (see `flush`): worth a frame only while
   * writes wait for other replicas. Asked at every flush; false when absent.
   */
  readsApart?: () => boolean;
  onEvent?: (event: DashboardEvent) => void;
  onClose?: (reason: string) => void;
}

export interface ConnectionCounters {
  requestsSent: number;
  framesSent: number;
  batchFramesSent: number;
  repliesUnmatched: number;
  framesMalformed: number;
}

/**
 * Runs `callback` after the current turn of the event loop, so requests issued in it share one frame:
 * setImmediate in Node (after pending I/O, no clamping), a zero timeout in browsers.
 */
const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
const afterTurn: (callback: () => void) => void = immediate
  ? (callback) => immediate(callback)
  : (callback) => setTimeout(callback, 0);

export class Connection {
  readonly url: string;
  readonly counters: ConnectionCounters = {
    requestsSent: 0,
    framesSent: 0,
    batchFramesSent: 0,
    repliesUnmatched: 0,
    framesMalformed: 0,
  };
  private readonly socket: WebSocketLike;
  private readonly options: ConnectionOptions;
  private readonly pending = new Map<number, Pending>();
  /** Requests waiting for a slot; their deadlines share the deadline timer below. */
  private readonly waiters: SlotQueue;
  private queue: Pending[] = [];
  private nextId = 1;
  private flushScheduled = false;
  /**
   * One timer for every deadline, of the requests in flight and of those waiting for a slot, armed for
   * the earliest; `deadlineTimerAtMs` is when it fires. (Node's timers of one duration share a list, so
   * this saves little CPU; it keeps one timer object per connection instead of one per request.)
   */
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineTimerAtMs = Number.POSITIVE_INFINITY;
  private closedReason: string | undefined;

  private constructor(url: string, socket: WebSocketLike, options: ConnectionOptions) {
    this.url = url;
    this.socket = socket;
    this.options = options;
    this.waiters = new SlotQueue(options.waitersMax);
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onerror = () => {}; // the close event that always follows carries the outcome
    socket.onclose = (event) =>
      this.onClosed(`closed with code ${event.code}${event.reason ? `: ${event.reason}` : ''}`);
  }

  /** Opens a socket to `url`; rejects UNAVAILABLE (or UNAUTHORIZED/FORBIDDEN when the node says so). */
  static open(
    url: string,
    WebSocket: WebSocketConstructor,
    connectTimeoutMs: number,
    options: ConnectionOptions,
  ): Promise<Connection> {
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = new WebSocket(url);
      } catch (cause) {
        reject(new RingKvError('BAD_REQUEST', `cannot open ${redactUrl(url)}: ${String(cause)}`, { cause }));
        return;
      }
      let errorMessage = '';
      const timer = setTimeout(() => {
        socket.onclose = null;
        socket.close();
        reject(
          new RingKvError(
            'UNAVAILABLE',
            `${redactUrl(url)} did not accept a connection in ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new Connection(url, socket, options));
      };
      socket.onerror = (event) => {
        errorMessage = event.message ?? String(event.error ?? '');
      };
      socket.onclose = (event) => {
        clearTimeout(timer);
        reject(openFailure(url, errorMessage, event.code));
      };
    });
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.socket.readyState === socketOpen;
  }

  /** Requests sent or queued and not yet answered. */
  get inflight(): number {
    return this.pending.size;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Sends `body` and resolves with the reply's `result`, or rejects with its RingKvError. `valueJson`, when
   * given, is the already encoded `value` of the body (sent as is, not serialised again).
   */
  request(body: RequestBody, deadlineMs: number, valueJson?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.submit(body, deadlineMs, valueJson, resolve, reject, undefined, 0);
    });
  }

  /**
   * `request` without a promise: the outcome goes to `sink.answer(slot, result)` or `sink.fail(slot,
   * error)`, exactly once (`valueJson` as in `request`). It fails synchronously, inside this call, when
   * the connection is closed or its queue of waiting callers is full; answers always come later.
   */
  requestInto(
    body: RequestBody,
    deadlineMs: number,
    sink: ReplySink,
    slot: number,
    valueJson?: string,
  ): void {
    this.submit(body, deadlineMs, valueJson, undefined, undefined, sink, slot);
  }

  private submit(
    body: RequestBody,
    deadlineMs: number,
    valueJson: string | undefined,
    resolve: ((result: unknown) => void) | undefined,
    reject: ((error: Error) => void) | undefined,
    sink: ReplySink | undefined,
    slot: number,
  ): void {
    const id = this.nextId++;
    const entry: Pending = {
      id,
      text: requestText(id, body, valueJson),
      sent: false,
      deadlineMs,
      resolve,
      reject,
      sink,
      slot,
      waiting: false,
      read: body.op === 'read' || body.op === 'read_replica',
    };
    if (this.closedReason !== undefined) {
      fail(entry, new ConnectionLostError(redactUrl(this.url), false, this.closedReason));
    } else if (this.pending.size < this.options.inflightMax && this.waiters.size === 0) {
      this.enqueue(entry);
    } else {
      this.waitForSlot(entry);
    }
  }

  close(reason = 'closed by the client'): void {
    if (this.closedReason !== undefined) return;
    this.socket.close(1000);
    this.onClosed(reason);
  }

  private waitForSlot(entry: Pending): void {
    if (!this.waiters.push(entry)) {
      fail(
        entry,
        new RingKvError('UNAVAILABLE', `client queue full: ${this.waiters.size} requests wait for a slot`),
      );
      return;
    }
    if (entry.deadlineMs < this.deadlineTimerAtMs) this.armDeadlineTimer(entry.deadlineMs);
  }

  private enqueue(entry: Pending): void {
    this.pending.set(entry.id, entry);
    this.queue.push(entry);
    if (entry.deadlineMs < this.deadlineTimerAtMs) this.armDeadlineTimer(entry.deadlineMs);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      afterTurn(() => this.flush());
    }
  }

  private armDeadlineTimer(atMs: number): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimerAtMs = atMs;
    this.deadlineTimer = setTimeout(() => this.expireDue(), Math.max(0, atMs - Date.now()));
  }

  /** Fails every request whose deadline passed, then re-arms the timer for the earliest one left. */
  private expireDue(): void {
    this.deadlineTimer = undefined;
    this.deadlineTimerAtMs = Number.POSITIVE_INFINITY;
    const nowMs = Date.now();
    let nextMs = Number.POSITIVE_INFINITY;
    // Bounded by the requests in flight (inflightMax).
    for (const entry of [...this.pending.values()]) {
      if (entry.deadlineMs > nowMs) {
        nextMs = Math.min(nextMs, entry.deadlineMs);
        continue;
      }
      this.settle(entry);
      fail(
        entry,
        new RingKvError(
          'TIMEOUT',
          `no reply from ${redactUrl(this.url)} before the deadline (request ${entry.id})`,
        ),
      );
    }
    const waitersNextMs = this.waiters.expire(nowMs, (waiter) =>
      fail(
        waiter,
        new RingKvError('TIMEOUT', `no free request slot on ${redactUrl(this.url)} before the deadline`),
      ),
    );
    nextMs = Math.min(nextMs, waitersNextMs);
    // A request let in from the waiters above may already have armed an earlier timer.
    if (nextMs < this.deadlineTimerAtMs && this.closedReason === undefined) this.armDeadlineTimer(nextMs);
  }

  /**
   * Sends the queued requests: one frame per request alone, batch frames of bounded size otherwise. A
   * batch is answered by one frame once every request in it is (SPEC). A node answers reads at once, so
   * while writes wait for other replicas (`readsApart`), reads leave in frames of their own, after the
   * turn's writes: a read batched with an update waited for the update's round between replicas. Writes
   * go first so that a node sees a read of a key this client is writing after that write (it queues the
   * read behind it, as within one batch). Otherwise (replication factor 1, a write quorum of 1) the extra
   * frame would cost without saving a wait: everything leaves together.
   */
  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    if (this.closedReason !== undefined) return;
    if (this.options.readsApart?.() !== true) {
      this.sendInChunks(queue);
      return;
    }
    const reads: Pending[] = [];
    const others: Pending[] = [];
    for (const entry of queue) {
      if (entry.read) reads.push(entry);
      else others.push(entry);
    }
    this.sendInChunks(others);
    this.sendInChunks(reads);
  }

  private sendInChunks(entries: readonly Pending[]): void {
    let chunk: Pending[] = [];
    let chars = 0;
    for (const entry of entries) {
      if (!this.pending.has(entry.id)) continue; // expired while queued
      const full =
        chunk.length >= this.options.batchRequestsMax ||
        chars + entry.text.length > this.options.batchCharsMax;
      if (chunk.length > 0 && full) {
        this.sendChunk(chunk);
        chunk = [];
        chars = 0;
      }
      chunk.push(entry);
      chars += entry.text.length + 1;
    }
    if (chunk.length > 0) this.sendChunk(chunk);
  }

  private sendChunk(chunk: Pending[]): void {
    const text = chunk.length === 1 ? chunk[0]!.text : `[${chunk.map((entry) => entry.text).join(',')}]`;
    for (const entry of chunk) entry.sent = true;
    this.counters.framesSent++;
    this.counters.requestsSent += chunk.length;
    if (chunk.length > 1) this.counters.batchFramesSent++;
    try {
      this.socket.send(text);
    } catch (cause) {
      this.close(`send failed: ${String(cause)}`);
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.counters.framesMalformed++;
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      this.counters.framesMalformed++; // counted, not fatal: the request it answered times out
      return;
    }
    if (Array.isArray(frame)) {
      for (const reply of frame) this.onReply(reply);
    } else if (frame !== null && typeof frame === 'object' && 'event' in frame) {
      this.options.onEvent?.(frame as DashboardEvent);
    } else {
      this.onReply(frame);
    }
  }

  private onReply(reply: unknown): void {
    const { id, ok, result, error } = (reply ?? {}) as {
      id?: unknown;
      ok?: unknown;
      result?: unknown;
      error?: unknown;
    };
    const entry = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!entry) {
      this.counters.repliesUnmatched++; // late (expired) replies and `id: null` errors
      return;
    }
    this.settle(entry);
    if (ok === true) succeed(entry, result);
    else fail(entry, errorFromBody(error));
  }

  /** Frees the request's slot and lets waiting callers in, oldest first. */
  private settle(entry: Pending): void {
    this.pending.delete(entry.id);
    while (this.pending.size < this.options.inflightMax && this.closedReason === undefined) {
      const waiter = this.waiters.next();
      if (!waiter) break;
      this.enqueue(waiter);
    }
  }

  private onClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const url = redactUrl(this.url);
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (const entry of this.pending.values()) {
      fail(entry, new ConnectionLostError(url, entry.sent, reason));
    }
    this.pending.clear();
    this.queue = [];
    for (let waiter = this.waiters.next(); waiter; waiter = this.waiters.next()) {
      fail(waiter, new ConnectionLostError(url, false, reason));
    }
    this.options.onClose?.(reason);
  }
}

function openFailure(url: string, message: string, closeCode: number): RingKvError {
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  const where = redactUrl(url);
  if (status === '401')
    return new RingKvError('UNAUTHORIZED', `${where} refused the connection: missing or wrong token`);
  if (status === '403')
    return new RingKvError('FORBIDDEN', `${where} refused the connection from this origin`);
  const detail = message || `closed with code ${closeCode}`;
  return new RingKvError('UNAVAILABLE', `cannot connect to ${where}: ${detail}`);
}
