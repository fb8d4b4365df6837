/**
 * The lean open-loop generator (half-peak cells): requests at a fixed total rate over N raw WebSocket
 * connections, each request timed from its intended send time (so a server's or the generator's own
 * stall shows in the latency: no coordinated omission), its send lag recorded beside it. It runs in its
 * own process (`open-loop-process.ts`), with requests framed up front (`open-loop-frames.ts`) and replies
 * matched by id from their bytes (`raw-ws.ts`), so its event loop has little to do but send on time.
 *
 * Two send schedules:
 * - `interval`: a 1 ms timer sends whatever is due, as `ws-load.ts` does (requests due within a tick
 *   wait for it: up to ~1 ms of send lag by construction);
 * - `paced`: after each turn the loop sleeps (Atomics.wait, at most `pacedSleepMaxMs`) until the next
 *   request is due, sends it, and yields to the event loop once to read replies; sends land within tens of
 *   microseconds of their time, for one short syscall per request instead of a busy loop;
 * - `spin`: the loop never sleeps (a diagnostic: it takes a whole core, and on a shared 2-core machine
 *   pushes other work onto the server's core; it shows what the generator's own wake-ups cost).
 */

import {
  createLatencyHistogram,
  dueCount,
  type GeneratorDelays,
  GeneratorMonitor,
  type LatencySummary,
  nowMicros,
  summarize,
} from './latency.js';
import { type FrameSet, idOf } from './open-loop-frames.js';
import { InflightTable } from './open-loop-inflight.js';
import {
  clientFrame,
  connectRawWebSocket,
  FrameReader,
  opcodePing,
  opcodePong,
  opcodeText,
  parseReplyBytes,
  type RawWebSocket,
  scanReplyBytes,
} from './raw-ws.js';
import { type RunQueueWait, readMainThreadSchedule, runQueueWaitBetween } from './schedstat.js';

export const sendSchedules = ['interval', 'paced', 'spin'] as const;
export type SendSchedule = (typeof sendSchedules)[number];

export interface OpenLoopOptions {
  urls: string[];
  connections: number;
  opsPerSecond: number;
  /** Requests one connection may have in flight; a request due beyond it is skipped and counted. */
  inflightPerConnectionMax: number;
  warmupMs: number;
  durationMs: number;
  schedule: SendSchedule;
}

export interface OpenLoopResult {
  opsPerSecond: number;
  latency: LatencySummary;
  latencyFromSend: LatencySummary;
  generator: GeneratorDelays;
  errors: number;
  errorSample?: string;
  skipped: number;
  /** The generator process's CPU during the window (all threads), in % of one core. */
  cpuPercent: number;
  /** The generator's main thread: time runnable but waiting for its core, during the window. */
  runQueueWait?: RunQueueWait;
}

/** Longest single sleep of the paced schedule, so replies are read at least this often at low rates. */
export const pacedSleepMaxMs = 0.5;
const drainTimeoutMs = 2_000;

interface Connection {
  socket: import('node:net').Socket;
  index: number;
}

/** One open-loop cell: connect, send on schedule through warm-up and window, drain, summarize. */
export class OpenLoopRun {
  private readonly histogram = createLatencyHistogram();
  private readonly fromSendHistogram = createLatencyHistogram();
  private readonly monitor = new GeneratorMonitor();
  private readonly table: InflightTable;
  private readonly pingSleep = new Int32Array(new SharedArrayBuffer(4));
  private connections: Connection[] = [];
  private recording = false;
  private sending = true;
  private startMicros = 0;
  private issued = 0;
  private completed = 0;
  private errors = 0;
  private skipped = 0;
  private errorSample: string | undefined;

  constructor(
    private readonly options: OpenLoopOptions,
    private readonly frames: FrameSet,
    /** Called when the measured window starts (after the warm-up). */
    private readonly onWindowStart: () => void = () => {},
  ) {
    this.table = new InflightTable(options.connections, options.inflightPerConnectionMax);
  }

  /** Opens every connection (before the cell's measurements start). */
  async connect(): Promise<void> {
    const { urls, connections } = this.options;
    const opened = await Promise.all(
      Array.from({ length: connections }, (_, index) => connectRawWebSocket(urls[index % urls.length]!)),
    );
    this.connections = opened.map(({ socket }, index) => ({ socket, index }));
    opened.forEach((connection, index) => {
      this.listen(connection, index);
    });
  }

  /** Warm-up, window and drain on the connections opened by `connect`; closes them at the end. */
  async run(): Promise<OpenLoopResult> {
    try {
      this.startMicros = nowMicros();
      const stopSchedule = this.startSchedule();
      await sleep(this.options.warmupMs);
      this.recording = true;
      this.onWindowStart();
      this.monitor.start();
      const cpuBefore = process.cpuUsage();
      const scheduleBefore = readMainThreadSchedule(process.pid);
      const windowStart = performance.now();
      await sleep(this.options.durationMs);
      this.recording = false;
      const windowMs = performance.now() - windowStart;
      const cpu = process.cpuUsage(cpuBefore);
      const scheduleAfter = readMainThreadSchedule(process.pid);
      const generator = this.monitor.stop();
      this.sending = false;
      stopSchedule();
      await this.drain();
      return {
        opsPerSecond: (this.completed / windowMs) * 1000,
        latency: summarize(this.histogram),
        latencyFromSend: summarize(this.fromSendHistogram),
        generator,
        errors: this.errors,
        errorSample: this.errorSample,
        skipped: this.skipped,
        cpuPercent: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
        runQueueWait:
          scheduleBefore && scheduleAfter
            ? runQueueWaitBetween(scheduleBefore, scheduleAfter, windowMs)
            : undefined,
      };
    } finally {
      for (const { socket } of this.connections) socket.destroy();
    }
  }

  private listen({ socket, onChunk }: RawWebSocket, index: number): void {
    const reader = new FrameReader(
      (opcode, bytes, start, end) => this.onFrame(index, opcode, bytes, start, end),
      (reason) => this.fail(reason),
    );
    onChunk((chunk) => reader.push(chunk));
    socket.on('error', (error) => this.fail(`connection ${index}: ${error.message}`));
    socket.on('close', () => {
      if (this.sending) this.fail(`connection ${index} closed by the server`);
    });
  }

  private onFrame(connection: number, opcode: number, bytes: Buffer, start: number, end: number): void {
    if (opcode === opcodePing) {
      this.connections[connection]!.socket.write(
        clientFrame(bytes.toString('latin1', start, end), opcodePong),
      );
      return;
    }
    if (opcode !== opcodeText) return;
    let packed = scanReplyBytes(bytes, start, end);
    if (packed === -1) packed = this.parseOrFail(bytes, start, end);
    if (packed === -1) return;
    const id = Math.floor(packed / 2);
    const slot = this.table.take(connection, id);
    if (slot === -1) {
      this.fail(`a reply to id ${id}, not in flight on connection ${connection}`);
      return;
    }
    if (!this.recording) return;
    const now = nowMicros();
    this.histogram.recordValue(Math.max(1, Math.round(now - this.table.intendedAt(slot))));
    this.fromSendHistogram.recordValue(Math.max(1, Math.round(now - this.table.sentAt(slot))));
    if ((packed & 1) === 1) this.completed++;
    else this.fail(bytes.toString('utf8', start, end));
  }

  private parseOrFail(bytes: Buffer, start: number, end: number): number {
    try {
      const packed = parseReplyBytes(bytes, start, end);
      if (packed === -1) this.fail(bytes.toString('utf8', start, end));
      return packed;
    } catch (error) {
      this.fail(`unreadable reply: ${String(error)}`);
      return -1;
    }
  }

  private fail(sample: string): void {
    if (!this.recording) return;
    this.errors++;
    this.errorSample ??= sample.slice(0, 300);
  }

  /** Sends every request due by now; each keeps its intended time (request i is due at i / rate). */
  private sendDue(): void {
    const { opsPerSecond, connections } = this.options;
    let due = dueCount(nowMicros() - this.startMicros, opsPerSecond);
    if (due > this.frames.count) {
      this.fail(`the ${this.frames.count} requests built up front ran out (the cell overran)`);
      due = this.frames.count;
    }
    for (; this.issued < due && this.sending; this.issued++) {
      const index = this.issued;
      const connection = index % connections;
      const intendedMicros = this.startMicros + (index / opsPerSecond) * 1e6;
      const sentMicros = nowMicros();
      if (!this.table.add(connection, idOf(index, connections), intendedMicros, sentMicros)) {
        if (this.recording) this.skipped++;
        continue;
      }
      const { bytes, offsets } = this.frames;
      this.connections[connection]!.socket.write(bytes.subarray(offsets[index]!, offsets[index + 1]!));
      if (this.recording) this.monitor.recordSendLag(intendedMicros, sentMicros);
    }
  }

  private startSchedule(): () => void {
    if (this.options.schedule === 'interval') {
      const timer = setInterval(() => this.sendDue(), 1);
      return () => clearInterval(timer);
    }
    let immediate: NodeJS.Immediate | undefined;
    const turn = () => {
      this.sendDue();
      const nextDueMicros = this.startMicros + (this.issued / this.options.opsPerSecond) * 1e6;
      const waitMs = Math.min(pacedSleepMaxMs, (nextDueMicros - nowMicros()) / 1000);
      if (waitMs > 0.01 && this.options.schedule === 'paced') Atomics.wait(this.pingSleep, 0, 0, waitMs);
      this.sendDue();
      if (this.sending) immediate = setImmediate(turn);
    };
    immediate = setImmediate(turn);
    return () => {
      if (immediate) clearImmediate(immediate);
    };
  }

  private async drain(): Promise<void> {
    const deadline = Date.now() + drainTimeoutMs;
    while (Date.now() < deadline && this.table.inflight() > 0) await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
