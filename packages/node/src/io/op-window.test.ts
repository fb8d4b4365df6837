import { describe, expect, it } from 'vitest';
import { OpWindow } from './op-window.js';

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
});
