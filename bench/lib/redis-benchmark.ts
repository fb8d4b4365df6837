/**
 * Runs `redis-benchmark` and reads its human output, which (unlike --csv) has the full percentile
 * distribution, so p99.9 is available.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LatencySummary } from './latency.js';

const execFileAsync = promisify(execFile);

export interface RedisBenchmarkTest {
  /** `GET`, `SET`, ... as redis-benchmark names its tests. */
  test: string;
  opsPerSecond: number;
  latency: LatencySummary;
  /** The cumulative distribution as printed: [percent of requests, at or under this many ms]. */
  points: Array<[number, number]>;
}

function percentileAt(points: Array<[number, number]>, percentile: number): number {
  const found = points.find(([cumulativePercent]) => cumulativePercent >= percentile);
  return found ? found[1] : (points.at(-1)?.[1] ?? Number.NaN);
}

/** Parses one `====== NAME ======` block of redis-benchmark's output. Pure; unit-tested. */
export function parseRedisBenchmarkBlock(test: string, block: string): RedisBenchmarkTest | undefined {
  const throughput = /throughput summary:\s*([\d.]+)\s*requests per second/.exec(block);
  if (!throughput?.[1]) return undefined;
  const distributionStart = block.indexOf('Latency by percentile distribution:');
  const distributionEnd = block.indexOf('Cumulative distribution of latencies:');
  const distribution = block.slice(distributionStart, distributionEnd === -1 ? undefined : distributionEnd);
  const points: Array<[number, number]> = [];
  for (const match of distribution.matchAll(
    /([\d.]+)% <= ([\d.]+) milliseconds \(cumulative count (\d+)\)/g,
  )) {
    points.push([Number(match[1]), Number(match[2])]);
  }
  const countMatch = [...distribution.matchAll(/cumulative count (\d+)\)/g)].at(-1);
  return {
    test,
    opsPerSecond: Number(throughput[1]),
    latency: {
      p50Ms: percentileAt(points, 50),
      p99Ms: percentileAt(points, 99),
      p999Ms: percentileAt(points, 99.9),
      maxMs: points.at(-1)?.[1] ?? Number.NaN,
      count: countMatch?.[1] ? Number(countMatch[1]) : 0,
    },
    points,
  };
}

export function parseRedisBenchmarkOutput(output: string): RedisBenchmarkTest[] {
  const results: RedisBenchmarkTest[] = [];
  // redis-benchmark redraws progress lines with \r; the summary blocks follow the `====== X ======` headers.
  const parts = output.replace(/\r/g, '\n').split(/^====== (.+?) ======$/m);
  for (let index = 1; index + 1 < parts.length; index += 2) {
    const parsed = parseRedisBenchmarkBlock(parts[index]!.trim(), parts[index + 1]!);
    if (parsed) results.push(parsed);
  }
  return results;
}

export interface RedisBenchmarkOptions {
  port: number;
  cluster: boolean;
  clients: number;
  pipeline: number;
  valueBytes: number;
  keyspace: number;
  requests: number;
  tests: string[];
  timeoutMs: number;
}

export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkTest[]> {
  const args = ['-h', '127.0.0.1', '-p', String(options.port), ...(options.cluster ? ['--cluster'] : [])]
    .concat(['-c', String(options.clients), '-P', String(options.pipeline), '-d', String(options.valueBytes)])
    .concat(['-r', String(options.keyspace), '-n', String(options.requests), '-t', options.tests.join(',')]);
  const { stdout } = await execFileAsync('redis-benchmark', args, {
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseRedisBenchmarkOutput(stdout);
}

/**
 * Throughput of a read/write mix from separately measured rates: each op of the mix takes 1/rate seconds,
 * so the mixed rate is the weighted harmonic mean.
 */
export function mixedRate(readsPerSecond: number, writesPerSecond: number, readFraction: number): number {
  return 1 / (readFraction / readsPerSecond + (1 - readFraction) / writesPerSecond);
}

/** Percent of a test's requests at or under `ms`, from its printed distribution (a step function). */
function cumulativePercentAt(points: Array<[number, number]>, ms: number): number {
  let percent = 0;
  for (const [cumulativePercent, latencyMs] of points) if (latencyMs <= ms) percent = cumulativePercent;
  return percent;
}

/**
 * Latency percentiles of the read/write mix: the mix's distribution is the weighted sum of the two
 * tests' distributions, evaluated at every latency either one printed.
 */
export function mixedLatency(
  reads: RedisBenchmarkTest,
  writes: RedisBenchmarkTest,
  readFraction: number,
): LatencySummary {
  const candidates = [...new Set([...reads.points, ...writes.points].map(([, ms]) => ms))].sort(
    (a, b) => a - b,
  );
  const mixed = candidates.map((ms): [number, number] => [
    readFraction * cumulativePercentAt(reads.points, ms) +
      (1 - readFraction) * cumulativePercentAt(writes.points, ms),
    ms,
  ]);
  return {
    p50Ms: percentileAt(mixed, 50),
    p99Ms: percentileAt(mixed, 99),
    p999Ms: percentileAt(mixed, 99.9),
    maxMs: Math.max(reads.latency.maxMs, writes.latency.maxMs),
    count: reads.latency.count + writes.latency.count,
  };
}
