/**
 * Per-operation counts and latency percentiles over the last sampling interval, for the `stats` topic
 * (ops/s, p50, p99). Every request is recorded here, so recording is one array increment: latencies go
 * into fixed log-linear buckets (32 per power of two of microseconds, so a bucket is at most ~3% wide),
 * a bounded array per operation whatever the request rate, cleared when sampled. An HdrHistogram did the
 * same at about 1-2% of a node's CPU (docs/PERFORMANCE.md, recommendation 7).
 */

export interface OpSample {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

// Latencies are recorded in microseconds, from 1 us up to a minute; slower requests count as a minute.
const latencyMicrosMax = 60_000_000;
/** Below 2^subBucketBits us every microsecond has its own bucket; above, 2^subBucketBits per doubling. */
const subBucketBits = 5;
const subBuckets = 1 << subBucketBits;
const bucketCount = bucketIndex(latencyMicrosMax) + 1;

/** The bucket of a latency in whole microseconds (1 .. latencyMicrosMax). */
export function bucketIndex(micros: number): number {
  if (micros < subBuckets) return micros;
  const exponent = 31 - Math.clz32(micros); // floor(log2(micros)), at least subBucketBits
  const shift = exponent - subBucketBits;
  return subBuckets + shift * subBuckets + ((micros >>> shift) - subBuckets);
}

/** The middle of a bucket, in microseconds: what a percentile falling in it reports. */
export function bucketMiddleMicros(index: number): number {
  if (index < subBuckets) return index;
  const shift = Math.floor((index - subBuckets) / subBuckets);
  const lowest = (subBuckets + ((index - subBuckets) % subBuckets)) * 2 ** shift;
  return lowest + (2 ** shift - 1) / 2;
}

class OpBuckets {
  readonly counts = new Float64Array(bucketCount);
  total = 0;

  record(micros: number): void {
    this.counts[bucketIndex(micros)]!++;
    this.total++;
  }

  /** The latency below which `fraction` of the recorded requests fall, in ms (0 when none). */
  percentileMs(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(this.total * fraction));
    let seen = 0;
    for (let index = 0; index < bucketCount; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return bucketMiddleMicros(index) / 1000;
    }
    return latencyMicrosMax / 1000;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

export class OpWindow {
  private readonly buckets = new Map<string, OpBuckets>();
  private windowStartMs: number;

  /** `ops` are the operations always reported, with zeros when idle, so charts keep their series. */
  constructor(
    private readonly ops: readonly string[],
    private readonly nowMs: () => number,
  ) {
    this.windowStartMs = nowMs();
    for (const op of ops) this.buckets.set(op, new OpBuckets());
  }

  record(op: string, durationMs: number): void {
    const buckets = this.buckets.get(op);
    if (buckets === undefined) return; // only the reported ops are sampled
    buckets.record(Math.min(latencyMicrosMax, Math.max(1, Math.round(durationMs * 1000))));
  }

  /** The figures since the last sample, then starts a new window. */
  sample(): Record<string, OpSample> {
    const now = this.nowMs();
    const elapsedSeconds = Math.max(0.001, (now - this.windowStartMs) / 1000);
    this.windowStartMs = now;
    const result: Record<string, OpSample> = {};
    for (const op of this.ops) {
      const buckets = this.buckets.get(op)!;
      result[op] = {
        opsPerSecond: buckets.total / elapsedSeconds,
        p50Ms: buckets.percentileMs(0.5),
        p99Ms: buckets.percentileMs(0.99),
      };
      buckets.reset();
    }
    return result;
  }
}
