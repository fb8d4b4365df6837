/**
 * The protocol-level load generator: N WebSocket connections speaking SPEC section 3 JSON, 90% reads and
 * 10% updates over preloaded keys, in one of three shapes:
 * - `depth`: every connection keeps `depth` single-request frames outstanding (depth 1 is request/reply);
 * - `batch`: every connection keeps one batch frame of `size` requests outstanding;
 * - `rate`: open loop at a fixed total rate, latency measured from each request's intended send time (so a
 *   stalled server cannot hide its queueing: no coordinated omission).
 * Replies are read with a cheap scan for `"id":` and `"ok":` and a JSON.parse fallback, so the generator
 * spends as little CPU as it can on the shared machine; it is the same code for every target.
 */
import WebSocket from 'ws';
import { keyAt, seededRandom } from './keys.js';
import {
  createLatencyHistogram,
  dueCount,
  type GeneratorDelays,
  GeneratorMonitor,
  type LatencySummary,
  nowMicros,
  summarize,
} from './latency.js';

export type LoadShape =
  | { kind: 'depth'; depth: number }
  | { kind: 'batch'; size: number }
  | { kind: 'rate'; opsPerSecond: number; inflightPerConnectionMax: number };

export interface WsLoadOptions {
  urls: string[];
  connections: number;
  shape: LoadShape;
  durationMs: number;
  warmupMs: number;
  keyspace: number;
  readFraction: number;
  /** The `value` field of writes, already JSON text. */
  valueJson: string;
  seed: number;
}

export interface LoadResult {
  opsPerSecond: number;
  latency: LatencySummary;
  errors: number;
  errorSample?: string;
  /** Open-loop only: requests not sent because a connection already had its maximum in flight. */
  skipped: number;
  /** Open-loop only: the generator's own send lag and event-loop delay during the window. */
  generator?: GeneratorDelays;
  /**
   * Open-loop only: latency from the moment each request actually left the generator. Beside `latency`
   * (from the intended send time, the honest figure) it shows how much the generator's send lag added.
   */
  latencyFromSend?: LatencySummary;
}

/** How long the generator waits for outstanding replies after the window closes. */
const drainTimeoutMs = 2_000;
const connectTimeoutMs = 10_000;

export class LoadState {
  readonly histogram = createLatencyHistogram();
  readonly fromSendHistogram = createLatencyHistogram();
  readonly monitor = new GeneratorMonitor();
  recording = false;
  sending = true;
  completed = 0;
  errors = 0;
  skipped = 0;
  errorSample: string | undefined;
  private readonly random: () => number;
  constructor(
    private readonly options: WsLoadOptions,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** One request as JSON text: `id` is chosen by the caller. */
  request(id: number): string {
    const key = keyAt(Math.floor(this.random() * this.options.keyspace));
    if (this.random() < this.options.readFraction) return `{"id":${id},"op":"read","key":"${key}"}`;
    return `{"id":${id},"op":"update","key":"${key}","value":${this.options.valueJson}}`;
  }

  complete(
    startMicros: number,
    count: number,
    failures: number,
    sample: string | undefined,
    sentMicros?: number,
  ): void {
    if (!this.recording) return;
    const now = nowMicros();
    this.histogram.recordValueWithCount(Math.max(1, Math.round(now - startMicros)), count);
    if (sentMicros !== undefined)
      this.fromSendHistogram.recordValue(Math.max(1, Math.round(now - sentMicros)));
    this.completed += count - failures;
    this.errors += failures;
    if (failures > 0 && this.errorSample === undefined) this.errorSample = sample?.slice(0, 300);
  }
}

/** The id of a single reply and whether it is ok, without a full parse when the reply starts `{"id":N,"ok":`. */
export function scanReply(text: string): { id: number | undefined; ok: boolean } {
  if (text.startsWith('{"id":')) {
    const comma = text.indexOf(',', 6);
    const id = Number(text.slice(6, comma));
    if (comma > 6 && Number.isFinite(id)) {
      if (text.startsWith('"ok":true', comma + 1)) return { id, ok: true };
      if (text.startsWith('"ok":false', comma + 1)) return { id, ok: false };
    }
  }
  const parsed = JSON.parse(text) as { id?: unknown; ok?: unknown };
  return { id: typeof parsed.id === 'number' ? parsed.id : undefined, ok: parsed.ok === true };
}

/** Failures in a batch reply (a JSON array of replies), counted without parsing the values. */
export function countBatchFailures(text: string, size: number): number {
  if (!text.startsWith('[')) return size;
  let failures = 0;
  for (let at = text.indexOf('"ok":false'); at !== -1; at = text.indexOf('"ok":false', at + 10)) failures++;
  return failures;
}

class LoadConnection {
  private nextId = 1;
  private readonly sentAt = new Map<number, number>();
  /** Open loop only: when each request actually left, for `latencyFromSend`. */
  private readonly actuallySentAt = new Map<number, number>();
  private batchSentAt = 0;
  constructor(
    readonly socket: WebSocket,
    private readonly state: LoadState,
    private readonly shape: LoadShape,
  ) {
    socket.on('message', (data) => this.onMessage(data.toString()));
  }

  get inflight(): number {
    return this.shape.kind === 'batch' ? (this.batchSentAt > 0 ? 1 : 0) : this.sentAt.size;
  }

  sendOne(intendedMicros = nowMicros()): void {
    const id = this.nextId++;
    this.sentAt.set(id, intendedMicros);
    this.socket.send(this.state.request(id));
  }

  /** An open-loop request: timed from its intended send time, its send lag recorded as the generator's. */
  sendScheduled(intendedMicros: number): void {
    const sentMicros = nowMicros();
    this.actuallySentAt.set(this.nextId, sentMicros);
    this.sendOne(intendedMicros);
    if (this.state.recording) this.state.monitor.recordSendLag(intendedMicros, sentMicros);
  }

  sendBatch(size: number): void {
    const requests = new Array<string>(size);
    for (let index = 0; index < size; index++) requests[index] = this.state.request(this.nextId++);
    this.batchSentAt = nowMicros();
    this.socket.send(`[${requests.join(',')}]`);
  }

  private onMessage(text: string): void {
    if (this.shape.kind === 'batch') {
      const size = this.shape.size;
      this.state.complete(this.batchSentAt, size, countBatchFailures(text, size), text);
      this.batchSentAt = 0;
      if (this.state.sending) this.sendBatch(size);
      return;
    }
    const { id, ok } = scanReply(text);
    const started = id === undefined ? undefined : this.sentAt.get(id);
    if (id === undefined || started === undefined) {
      this.state.complete(nowMicros(), 1, 1, text);
      return;
    }
    this.sentAt.delete(id);
    const sentMicros = this.actuallySentAt.get(id);
    if (sentMicros !== undefined) this.actuallySentAt.delete(id);
    this.state.complete(started, 1, ok ? 0 : 1, text, sentMicros);
    if (this.shape.kind === 'depth' && this.state.sending) this.sendOne();
  }
}

/**
 * Client frames must carry a mask (RFC 6455), but an all-zero mask is valid and lets `ws` send the
 * request text as it is instead of copying and XOR-ing it into a new buffer. The mask protects browsers'
 * intermediaries from cache poisoning; it has no use between a load generator and a server on loopback.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: connectTimeoutMs,
      generateMask: zeroMask,
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function startShape(connections: LoadConnection[], shape: LoadShape, state: LoadState): () => void {
  if (shape.kind === 'depth') {
    for (const connection of connections) for (let i = 0; i < shape.depth; i++) connection.sendOne();
    return () => {};
  }
  if (shape.kind === 'batch') {
    for (const connection of connections) connection.sendBatch(shape.size);
    return () => {};
  }
  const startMicros = nowMicros();
  let issued = 0;
  let next = 0;
  // A 1 ms tick sends whatever the schedule says is due; each request keeps its intended time.
  const timer = setInterval(() => {
    const due = dueCount(nowMicros() - startMicros, shape.opsPerSecond);
    for (; issued < due && state.sending; issued++) {
      const connection = connections[next++ % connections.length]!;
      if (connection.inflight >= shape.inflightPerConnectionMax) state.skipped++;
      else connection.sendScheduled(startMicros + (issued / shape.opsPerSecond) * 1e6);
    }
  }, 1);
  return () => clearInterval(timer);
}

export async function runWsLoad(options: WsLoadOptions): Promise<LoadResult> {
  const state = new LoadState(options, options.seed);
  const sockets = await Promise.all(
    Array.from({ length: options.connections }, (_, index) =>
      connect(options.urls[index % options.urls.length]!),
    ),
  );
  const connections = sockets.map((socket) => new LoadConnection(socket, state, options.shape));
  try {
    const stopShape = startShape(connections, options.shape, state);
    await sleep(options.warmupMs);
    state.recording = true;
    state.monitor.start();
    const windowStart = performance.now();
    await sleep(options.durationMs);
    state.recording = false;
    const windowMs = performance.now() - windowStart;
    const generator = state.monitor.stop();
    state.sending = false;
    stopShape();
    await waitForDrain(connections);
    return {
      opsPerSecond: (state.completed / windowMs) * 1000,
      latency: summarize(state.histogram),
      errors: state.errors,
      errorSample: state.errorSample,
      skipped: state.skipped,
      generator: options.shape.kind === 'rate' ? generator : undefined,
      latencyFromSend: options.shape.kind === 'rate' ? summarize(state.fromSendHistogram) : undefined,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

async function waitForDrain(connections: LoadConnection[]): Promise<void> {
  const deadline = Date.now() + drainTimeoutMs;
  while (Date.now() < deadline && connections.some((connection) => connection.inflight > 0)) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
