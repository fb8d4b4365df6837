import { describe, expect, it } from 'vitest';
import { mixedLatency, mixedRate, parseRedisBenchmarkOutput } from './redis-benchmark.js';

function block(name: string, rps: number, lines: Array<[number, number, number]>): string {
  const distribution = lines.map(
    ([percent, ms, count]) =>
      `${percent.toFixed(3)}% <= ${ms.toFixed(3)} milliseconds (cumulative count ${count})`,
  );
  return [
    `====== ${name} ======`,
    '  100000 requests completed in 0.20 seconds',
    'Latency by percentile distribution:',
    ...distribution,
    '',
    'Cumulative distribution of latencies:',
    '0.000% <= 0.103 milliseconds (cumulative count 0)',
    'Summary:',
    `  throughput summary: ${rps.toFixed(2)} requests per second`,
  ].join('\n');
}

const getBlock = block('GET', 500_000, [
  [0, 0.2, 1],
  [50, 1.0, 50_000],
  [99, 2.0, 99_000],
  [99.9, 3.0, 99_900],
  [100, 4.0, 100_000],
]);
const setBlock = block('SET', 250_000, [
  [0, 0.5, 1],
  [50, 2.0, 50_000],
  [99, 6.0, 99_000],
  [100, 8.0, 100_000],
]);

describe('parseRedisBenchmarkOutput', () => {
  it('reads throughput and percentiles of every test block, progress lines included', () => {
    const output = `GET: rps=123.0 (overall: 99.0) avg_msec=1.0\r${getBlock}\n\n${setBlock}\n`;
    const [get, set] = parseRedisBenchmarkOutput(output);
    expect(get?.test).toBe('GET');
    expect(get?.opsPerSecond).toBe(500_000);
    expect(get?.latency).toMatchObject({ p50Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, count: 100_000 });
    expect(set?.test).toBe('SET');
    expect(set?.latency.p999Ms).toBe(8);
  });

  it('returns nothing for output without a summary', () => {
    expect(parseRedisBenchmarkOutput('Could not connect to Redis at 127.0.0.1:1')).toEqual([]);
  });
});

describe('mixing GET and SET results', () => {
  it('weights rates harmonically: 90% at 500k/s and 10% at 250k/s', () => {
    expect(mixedRate(500_000, 250_000, 0.9)).toBeCloseTo(1 / (0.9 / 500_000 + 0.1 / 250_000), 6);
  });

  it('takes percentiles of the weighted mix of both distributions', () => {
    const [get, set] = parseRedisBenchmarkOutput(`${getBlock}\n${setBlock}`);
    const mixed = mixedLatency(get!, set!, 0.9);
    // At 1 ms: 0.9 * 50 + 0.1 * 1-ish(0) = 45% < 50; at 2 ms: 0.9 * 99 + 0.1 * 50 = 94.1% >= 50.
    expect(mixed.p50Ms).toBe(2);
    // At 4 ms: 90 + 0.1 * 50 = 95%; at 6 ms: 90 + 9.9 = 99.9%.
    expect(mixed.p99Ms).toBe(6);
    expect(mixed.maxMs).toBe(8);
  });
});
