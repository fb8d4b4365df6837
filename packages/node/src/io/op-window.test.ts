import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketMiddleMicros, OpWindow } from './op-window.js';

describe('OpWindow', () => {
  it('reports ops per second and percentiles over the window, then starts afresh', () => {
    let now = 1_000;
    const window = new OpWindow(['read', 'create'], () => now);
    for (let i = 1; i <= 100; i++) window.record('read', i / 10); // 0.1 ms .. 10 ms
    now += 2_000;
    const sample = window.sample();
    expect(sample.read!.opsPerSecond).toBe(50);
    expect(sample.read!.p50Ms).toBeCloseTo(5, 0);
    expect(sample.read!.p99Ms).toBeCloseTo(9.9, 0);
    expect(sample.create).toEqual({ opsPerSecond: 0, p50Ms: 0, p99Ms: 0 });
    now += 1_000;
    expect(window.sample().read!.opsPerSecond).toBe(0);
  });

  it('ignores operations it does not report and clamps absurd latencies', () => {
    const window = new OpWindow(['read'], () => 0);
    window.record('ring', 5);
    window.record('read', 10 * 60_000);
    const sample = window.sample();
    expect(Object.keys(sample)).toEqual(['read']);
    expect(sample.read!.p99Ms).toBeLessThanOrEqual(60_000 * 1.01);
  });

  it('puts every latency from 1 us to a minute in a bucket whose middle is within 3.2% of it', () => {
    let previous = -1;
    for (let micros = 1; micros <= 60_000_000; micros = Math.max(micros + 1, Math.floor(micros * 1.01))) {
      const index = bucketIndex(micros);
      expect(index).toBeGreaterThanOrEqual(previous); // buckets follow the latencies' order
      previous = index;
      expect(Math.abs(bucketMiddleMicros(index) - micros) / micros).toBeLessThanOrEqual(0.032);
    }
    // Below 32 us every microsecond is its own bucket; each doubling above has 32 buckets.
    expect(bucketIndex(31)).toBe(31);
    expect([bucketIndex(32), bucketIndex(63), bucketIndex(64), bucketIndex(65)]).toEqual([32, 63, 64, 64]);
  });

  it('reports the percentiles of a skewed window: a slow 2% shows in p99 and not in p50', () => {
    const window = new OpWindow(['read'], () => 0);
    for (let i = 0; i < 980; i++) window.record('read', 0.2);
    for (let i = 0; i < 20; i++) window.record('read', 25);
    const { p50Ms, p99Ms } = window.sample().read!;
    expect(p50Ms).toBeCloseTo(0.2, 2);
    expect(Math.abs(p99Ms - 25) / 25).toBeLessThanOrEqual(0.032);
  });
});
