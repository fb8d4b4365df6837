/**
 * Latency recording with HdrHistogram in microseconds; summaries are in milliseconds.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  count: number;
}

/** One histogram per measurement: 1 us to 60 s at 3 significant digits. */
export function createLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export function summarize(histogram: hdr.Histogram): LatencySummary {
  return {
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    p999Ms: histogram.getValueAtPercentile(99.9) / 1000,
    maxMs: histogram.maxValue / 1000,
    count: histogram.totalCount,
  };
}

/** Microseconds since an arbitrary origin, for differences only. */
export function nowMicros(): number {
  return performance.now() * 1000;
}

/**
 * The requests due by `elapsedMicros` after the start at `opsPerSecond`: request i is due at i / rate, so
 * request 0 is due at once. (Counting only whole periods, `floor(elapsed * rate)`, sends each request one
 * period late and adds that period to every latency measured from the intended time: 2 ms at 500/s.)
 */
export function dueCount(elapsedMicros: number, opsPerSecond: number): number {
  return elapsedMicros < 0 ? 0 : Math.floor((elapsedMicros / 1e6) * opsPerSecond) + 1;
}

const loopResolutionMs = 1;

/** What the load generator itself added during an open-loop window, in milliseconds. */
export interface GeneratorDelays {
  /** How late requests left the generator after their intended send time (p99 / max). */
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  /** How late the generator's event loop ran a ready callback (reading replies included), p99 / max. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** The generator's own garbage-collection pauses during the window: how many, their total and longest. */
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

/**
 * Measures the open-loop generator's own share of the latency: every request's send lag (actual send
 * minus intended send time, which the recorded latency includes) and the event loop's delay, which also
 * holds back the reading of replies. Both are recorded only while `recording` is on.
 */
export class GeneratorMonitor {
  private readonly sendLag = createLatencyHistogram();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: loopResolutionMs });
  private gcPauses: number[] = [];
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.gcPauses.push(entry.duration);
  });

  start(): void {
    this.sendLag.reset();
    this.loopDelay.reset();
    this.loopDelay.enable();
    this.gcPauses = [];
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  recordSendLag(intendedMicros: number, sentMicros: number): void {
    this.sendLag.recordValue(Math.max(1, Math.round(sentMicros - intendedMicros)));
  }

  stop(): GeneratorDelays {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
    // monitorEventLoopDelay reports nanoseconds, each sample the whole interval of its 1 ms timer.
    const delayMs = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - loopResolutionMs);
    return {
      sendLagP99Ms: this.sendLag.getValueAtPercentile(99) / 1000,
      sendLagMaxMs: this.sendLag.maxValue / 1000,
      loopDelayP99Ms: delayMs(this.loopDelay.percentile(99)),
      loopDelayMaxMs: delayMs(this.loopDelay.max),
      gcPauses: this.gcPauses.length,
      gcTotalMs: this.gcPauses.reduce((sum, ms) => sum + ms, 0),
      gcMaxMs: Math.max(0, ...this.gcPauses),
    };
  }
}
