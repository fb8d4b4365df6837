/**
 * Per-operation counts and latency percentiles over the last sampling interval, for the `stats` topic
 * (ops/s, p50, p99). HDR histograms keep memory fixed whatever the request rate: each is a bounded array
 * of buckets, reset when sampled.
 */
import * as hdr from 'hdr-histogram-js';

export interface OpSample {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

// Latencies are recorded in microseconds, from 1 us up to a minute; slower requests count as a minute.
const latencyMicrosMax = 60_000_000;

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: latencyMicrosMax,
    numberOfSignificantValueDigits: 2,
  });
}

export class OpWindow {
  private readonly histograms = new Map<string, hdr.Histogram>();
  private windowStartMs: number;

  /** `ops` are the operations always reported, with zeros when idle, so charts keep their series. */
  constructor(
    private readonly ops: readonly string[],
    private readonly nowMs: () => number,
  ) {
    this.windowStartMs = nowMs();
    for (const op of ops) this.histograms.set(op, newHistogram());
  }

  record(op: string, durationMs: number): void {
    const histogram = this.histograms.get(op);
    if (histogram === undefined) return; // only the reported ops are sampled
    const micros = Math.min(latencyMicrosMax, Math.max(1, Math.round(durationMs * 1000)));
    histogram.recordValue(micros);
  }

  /** The figures since the last sample, then starts a new window. */
  sample(): Record<string, OpSample> {
    const now = this.nowMs();
    const elapsedSeconds = Math.max(0.001, (now - this.windowStartMs) / 1000);
    this.windowStartMs = now;
    const result: Record<string, OpSample> = {};
    for (const op of this.ops) {
      const histogram = this.histograms.get(op)!;
      const count = histogram.totalCount;
      result[op] = {
        opsPerSecond: count / elapsedSeconds,
        p50Ms: count === 0 ? 0 : histogram.getValueAtPercentile(50) / 1000,
        p99Ms: count === 0 ? 0 : histogram.getValueAtPercentile(99) / 1000,
      };
      histogram.reset();
    }
    return result;
  }
}
