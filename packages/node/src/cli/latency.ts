/**
 * Latency recording for `ringkv load` and `ringkv bench`: HdrHistograms in microseconds (3 significant
 * digits, values up to one minute), a total one and one per reporting interval for the live line.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** Slower calls are clamped here; a request deadline is far below it. */
const latencyMicrosMax = 60_000_000;

export function newHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: latencyMicrosMax,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

export function recordMicros(histogram: Histogram, startedNs: bigint): void {
  const micros = Number((process.hrtime.bigint() - startedNs) / 1000n);
  histogram.recordValue(Math.min(Math.max(micros, 1), latencyMicrosMax));
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const toMs = (micros: number) => Math.round(micros) / 1000;

export function summarize(histogram: Histogram): LatencySummary {
  return {
    count: histogram.totalCount,
    p50Ms: toMs(histogram.getValueAtPercentile(50)),
    p99Ms: toMs(histogram.getValueAtPercentile(99)),
    p999Ms: toMs(histogram.getValueAtPercentile(99.9)),
    maxMs: toMs(histogram.maxValue),
  };
}

export function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}
