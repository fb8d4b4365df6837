/**
 * The application-level load: one Node program with W concurrent async workers, each awaiting one
 * operation at a time (90% reads, 10% writes), as a web service handling W requests at once would. The
 * client library does whatever pipelining and batching it does; we only measure what the caller sees.
 * The open-loop variant issues calls at a fixed rate instead, for latency at a given throughput.
 */
import { keyAt, seededRandom } from './keys.js';
import { createLatencyHistogram, dueCount, GeneratorMonitor, nowMicros, summarize } from './latency.js';
import type { LoadResult } from './ws-load.js';

/** What the benchmark needs from a client library: one adapter per library. */
export interface KvAdapter {
  read(key: string): Promise<unknown>;
  write(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface AppLoadOptions {
  workers: number;
  durationMs: number;
  warmupMs: number;
  keyspace: number;
  readFraction: number;
  value: string;
  seed: number;
}

class AppState {
  readonly histogram = createLatencyHistogram();
  /** Open loop: latency from the moment each call was actually made (the generator's lag left out). */
  readonly fromCallHistogram = createLatencyHistogram();
  readonly monitor = new GeneratorMonitor();
  recording = false;
  running = true;
  completed = 0;
  errors = 0;
  errorSample: string | undefined;

  record(startMicros: number, failed: unknown, calledMicros?: number): void {
    if (!this.recording) return;
    const now = nowMicros();
    this.histogram.recordValue(Math.max(1, Math.round(now - startMicros)));
    if (calledMicros !== undefined)
      this.fromCallHistogram.recordValue(Math.max(1, Math.round(now - calledMicros)));
    if (failed === undefined) {
      this.completed++;
      return;
    }
    this.errors++;
    this.errorSample ??= String(failed).slice(0, 300);
  }

  result(windowMs: number): LoadResult {
    return {
      opsPerSecond: (this.completed / windowMs) * 1000,
      latency: summarize(this.histogram),
      errors: this.errors,
      errorSample: this.errorSample,
      skipped: 0,
    };
  }
}

async function callOnce(adapter: KvAdapter, random: () => number, options: AppLoadOptions): Promise<unknown> {
  const key = keyAt(Math.floor(random() * options.keyspace));
  try {
    if (random() < options.readFraction) await adapter.read(key);
    else await adapter.write(key, options.value);
    return undefined;
  } catch (error) {
    // A failed call is a measured outcome (counted as an error with a sample), not something to hide.
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function worker(adapter: KvAdapter, state: AppState, random: () => number, options: AppLoadOptions) {
  while (state.running) {
    const started = nowMicros();
    state.record(started, await callOnce(adapter, random, options));
  }
}

async function measureWindow(state: AppState, options: { warmupMs: number; durationMs: number }) {
  await sleep(options.warmupMs);
  state.recording = true;
  state.monitor.start();
  const windowStart = performance.now();
  await sleep(options.durationMs);
  state.recording = false;
  return performance.now() - windowStart;
}

export async function runAppLoad(adapter: KvAdapter, options: AppLoadOptions): Promise<LoadResult> {
  const state = new AppState();
  const random = seededRandom(options.seed);
  const workers = Array.from({ length: options.workers }, () => worker(adapter, state, random, options));
  const windowMs = await measureWindow(state, options);
  state.monitor.stop();
  state.running = false;
  await Promise.all(workers);
  return state.result(windowMs);
}

/**
 * Calls at `opsPerSecond`, each timed from its intended start, with at most `inflightMax` outstanding
 * (beyond that a call is skipped and counted, so an overloaded target shows as skipped, not as a stall).
 */
export async function runAppOpenLoop(
  adapter: KvAdapter,
  options: AppLoadOptions & { opsPerSecond: number; inflightMax: number },
): Promise<LoadResult> {
  const state = new AppState();
  const random = seededRandom(options.seed);
  let inflight = 0;
  let issued = 0;
  let skipped = 0;
  const startMicros = nowMicros();
  const timer = setInterval(() => {
    const due = dueCount(nowMicros() - startMicros, options.opsPerSecond);
    for (; issued < due; issued++) {
      if (inflight >= options.inflightMax) {
        skipped++;
        continue;
      }
      const intended = startMicros + (issued / options.opsPerSecond) * 1e6;
      const called = nowMicros();
      if (state.recording) state.monitor.recordSendLag(intended, called);
      inflight++;
      void callOnce(adapter, random, options).then((failed) => {
        inflight--;
        state.record(intended, failed, called);
      });
    }
  }, 1);
  const windowMs = await measureWindow(state, options);
  const generator = state.monitor.stop();
  clearInterval(timer);
  const deadline = Date.now() + 5_000;
  while (inflight > 0 && Date.now() < deadline) await sleep(20);
  const latencyFromSend = summarize(state.fromCallHistogram);
  return { ...state.result(windowMs), skipped, generator, latencyFromSend };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
