import { describe, expect, it } from 'vitest';
import { parseServerSample, serverDelaysBetween, unlabelledValues } from './node-metrics.js';

function exposition(gcMinor: [number, number], gcMajor: [number, number], buckets: number[]): string {
  const bounds = ['0.0001', '0.001', '0.01', '+Inf'];
  return [
    '# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.',
    'nodejs_eventloop_lag_p99_seconds 0.0125',
    'nodejs_eventloop_lag_max_seconds 0.031',
    `nodejs_gc_duration_seconds_sum{kind="minor"} ${gcMinor[1]}`,
    `nodejs_gc_duration_seconds_count{kind="minor"} ${gcMinor[0]}`,
    `nodejs_gc_duration_seconds_sum{kind="major"} ${gcMajor[1]}`,
    `nodejs_gc_duration_seconds_count{kind="major"} ${gcMajor[0]}`,
    ...bounds.map(
      (le, index) =>
        `ringkv_request_duration_seconds_bucket{le="${le}",op="read",transport="ws"} ${buckets[index]}`,
    ),
    // HTTP requests are not the WebSocket load's and are left out.
    'ringkv_request_duration_seconds_bucket{le="+Inf",op="read",transport="http"} 999',
  ].join('\n');
}

describe('node metrics around a cell', () => {
  it("reads the loop delay without prom-client's 10 ms timer interval, and GC and request counts", () => {
    const sample = parseServerSample(exposition([4, 0.02], [1, 0.05], [10, 20, 30, 40]));
    expect(sample.loopDelayP99Ms).toBeCloseTo(2.5);
    expect(sample.loopDelayMaxMs).toBeCloseTo(21);
    expect(sample.gc.minor).toEqual({ count: 4, seconds: 0.02 });
    expect(sample.requestBuckets.get(Number.POSITIVE_INFINITY)).toBe(40);
  });

  it('differences two samples: pauses and requests during the cell only', () => {
    const before = parseServerSample(exposition([4, 0.02], [1, 0.05], [10, 20, 30, 40]));
    const after = parseServerSample(exposition([14, 0.07], [2, 0.08], [10, 1_010, 1_020, 1_040]));
    const delays = serverDelaysBetween(before, after);
    expect(delays.gcPauses).toBe(11);
    expect(delays.gcTotalMs).toBeCloseTo(80);
    expect(delays.majorGcPauses).toBe(1);
    expect(delays.majorGcTotalMs).toBeCloseTo(30);
    // 1,000 requests in the cell: 990 of them (99%) by the 1 ms bound, all by 10 ms.
    expect(delays.requestP99BoundMs).toBe(1);
  });

  it('has no request percentile when no WebSocket request came in', () => {
    const sample = parseServerSample(exposition([0, 0], [0, 0], [5, 5, 5, 5]));
    expect(serverDelaysBetween(sample, sample).requestP99BoundMs).toBeUndefined();
  });
});

describe('unlabelledValues', () => {
  it('reads the named samples without labels and leaves labelled and absent ones out', () => {
    const text = [
      '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      'nodejs_heap_size_used_bytes 31457280',
      'nodejs_heap_space_size_used_bytes{space="old"} 23068672',
      'ringkv_replica_write_keys 12',
    ].join('\n');
    const values = unlabelledValues(text, [
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_space_size_used_bytes',
      'ringkv_replica_write_keys',
      'ringkv_read_repairs',
    ]);
    expect([...values]).toEqual([
      ['nodejs_heap_size_used_bytes', 31457280],
      ['ringkv_replica_write_keys', 12],
    ]);
  });
});
