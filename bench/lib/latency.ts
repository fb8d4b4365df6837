/**
 * Latency recording with HdrHistogram in microseconds; summaries are in milliseconds.
 */
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
