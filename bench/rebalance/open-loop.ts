/**
 * A steady open-loop client load whose measurement window is opened and closed by the caller: calls are
 * issued at a fixed rate (reads and updates of loaded keys), each timed from its intended start, with at
 * most `inflightMax` outstanding (beyond that a call is skipped and counted, so an overloaded cluster shows
 * as skipped calls and long latencies, never as a quiet stall). `measure()` starts a new window and
 * returns the function that ends it, so one load runs through "before the move" and "during the move".
 */
import type { KvAdapter } from '../lib/app-load.js';
import { keyAt, seededRandom } from '../lib/keys.js';
import {
  createLatencyHistogram,
  dueCount,
  type LatencySummary,
  nowMicros,
  summarize,
} from '../lib/latency.js';

export interface OpenLoopOptions {
  opsPerSecond: number;
  inflightMax: number;
  /** Keys `keyAt(0..keyspace-1)` exist; reads and updates pick among them. */
  keyspace: number;
  readFraction: number;
  /** The value JSON-encoded by the adapter's write. */
  value: string;
  seed: number;
}

export interface WindowResult {
  durationMs: number;
  offeredPerSecond: number;
  completedPerSecond: number;
  latency: LatencySummary;
  errors: number;
  errorSample?: string;
  skipped: number;
}

class Window {
  readonly histogram = createLatencyHistogram();
  readonly startedMs = performance.now();
  completed = 0;
  errors = 0;
  /** Calls issued in this window and not finished yet: closing waits for them, so slow ones count. */
  inflight = 0;
  skipped = 0;
  errorSample: string | undefined;
}

export interface OpenLoop {
  /**
   * Opens a measurement window; the returned function closes it and, once the calls issued in it have
   * finished (bounded), summarises it.
   */
  measure(): () => Promise<WindowResult>;
  /** Stops issuing calls and waits (bounded) for those in flight. */
  stop(): Promise<void>;
}

/** How long `stop()` waits for calls in flight; each call has the client's own deadline anyway. */
const drainMsMax = 10_000;

export function startOpenLoop(adapter: KvAdapter, options: OpenLoopOptions): OpenLoop {
  const random = seededRandom(options.seed);
  const startMicros = nowMicros();
  let window: Window | undefined;
  let inflight = 0;
  let issued = 0;

  const call = (intendedMicros: number, target: Window | undefined) => {
    const key = keyAt(Math.floor(random() * options.keyspace));
    const operation = random() < options.readFraction ? adapter.read(key) : adapter.write(key, options.value);
    inflight++;
    if (target) target.inflight++;
    operation.then(
      () => finish(intendedMicros, target, undefined),
      (error: unknown) => finish(intendedMicros, target, error),
    );
  };
  const finish = (intendedMicros: number, target: Window | undefined, error: unknown) => {
    inflight--;
    if (!target) return;
    target.inflight--;
    target.histogram.recordValue(Math.max(1, Math.round(nowMicros() - intendedMicros)));
    if (error === undefined) target.completed++;
    else {
      target.errors++;
      target.errorSample ??= (error instanceof Error ? error.message : String(error)).slice(0, 200);
    }
  };
  // Every millisecond, issue the calls that are due by now: the rate holds even if a tick is late.
  const timer = setInterval(() => {
    const due = dueCount(nowMicros() - startMicros, options.opsPerSecond);
    for (; issued < due; issued++) {
      if (inflight >= options.inflightMax) {
        if (window) window.skipped++;
        continue;
      }
      call(startMicros + (issued / options.opsPerSecond) * 1e6, window);
    }
  }, 1);

  return {
    measure: () => {
      const current = new Window();
      window = current;
      return async () => {
        if (window === current) window = undefined;
        const durationMs = performance.now() - current.startedMs;
        await waitFor(() => current.inflight === 0, drainMsMax);
        const seconds = Math.max(durationMs, 1) / 1000;
        return {
          durationMs,
          offeredPerSecond: options.opsPerSecond,
          completedPerSecond: current.completed / seconds,
          latency: summarize(current.histogram),
          errors: current.errors,
          errorSample: current.errorSample,
          skipped: current.skipped,
        };
      };
    },
    stop: async () => {
      clearInterval(timer);
      await waitFor(() => inflight === 0, drainMsMax);
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
