/**
 * `ringkv bench`: writes the key space (PREFIX0..PREFIXK-1) once, then for `--duration` seconds runs
 * reads and writes (updates) of random keys in the ratio `--read-ratio`, printing a live line every second.
 */
import { RingKvError } from '@ringkv/client';
import type { Histogram } from 'hdr-histogram-js';
import { writeJson } from './common.js';
import { formatMs, newHistogram, recordMicros, summarize } from './latency.js';
import { errorCode, type WorkloadFlags, workloadClient } from './workload.js';

type BenchFlags = WorkloadFlags & { duration: number; readRatio: number; keys: number };

export async function runBench(flags: BenchFlags): Promise<number> {
  const client = await workloadClient(flags);
  const value = 'x'.repeat(flags.valueBytes);
  const key = (index: number) => `${flags.prefix}${index}`;

  process.stderr.write(`bench: writing ${flags.keys} keys first ...\n`);
  let prepared = 0;
  const prepare = async () => {
    for (let index = prepared++; index < flags.keys; index = prepared++) {
      await client.update(key(index), value).catch((error: unknown) => {
        if (error instanceof RingKvError && error.code === 'KEY_NOT_FOUND')
          return client.create(key(index), value);
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(flags.concurrency, flags.keys) }, prepare));

  const reads = newHistogram();
  const writes = newHistogram();
  let interval = newHistogram();
  const errors = new Map<string, number>();
  const startedMs = Date.now();
  const endMs = startedMs + flags.duration * 1000;
  const live = setInterval(() => {
    printLive(interval, (Date.now() - startedMs) / 1000, errors);
    interval = newHistogram();
  }, 1000);

  const worker = async () => {
    // Bounded by the duration: every call has a deadline, so a worker cannot outlive it by more than one.
    while (Date.now() < endMs) {
      const isRead = Math.random() < flags.readRatio;
      const target = key(Math.floor(Math.random() * flags.keys));
      const started = process.hrtime.bigint();
      try {
        if (isRead) await client.read(target);
        else await client.update(target, value);
        recordMicros(isRead ? reads : writes, started);
        recordMicros(interval, started);
      } catch (error) {
        const code = errorCode(error);
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: flags.concurrency }, worker));
  clearInterval(live);
  const seconds = (Date.now() - startedMs) / 1000;
  client.close();

  const ops = reads.totalCount + writes.totalCount;
  const summary = {
    seconds,
    concurrency: flags.concurrency,
    readRatio: flags.readRatio,
    keys: flags.keys,
    valueBytes: flags.valueBytes,
    ops,
    opsPerSecond: Math.round(ops / seconds),
    reads: summarize(reads),
    writes: summarize(writes),
    errors: Object.fromEntries(errors),
  };
  process.stderr.write(
    `\nbench: ${ops} ops in ${seconds.toFixed(1)} s, ${summary.opsPerSecond} ops/s; ` +
      `reads p50 ${formatMs(summary.reads.p50Ms)} ms p99 ${formatMs(summary.reads.p99Ms)} ms; ` +
      `writes p50 ${formatMs(summary.writes.p50Ms)} ms p99 ${formatMs(summary.writes.p99Ms)} ms\n`,
  );
  writeJson(summary);
  return errors.size > 0 ? 1 : 0;
}

/** One line per second: on a terminal it rewrites itself, elsewhere it is a plain log line. */
function printLive(interval: Histogram, elapsedSeconds: number, errors: Map<string, number>): void {
  const latency = summarize(interval);
  let errorCount = 0;
  for (const count of errors.values()) errorCount += count;
  const line =
    `${elapsedSeconds.toFixed(0).padStart(4)} s  ${String(latency.count).padStart(7)} ops/s  ` +
    `p50 ${formatMs(latency.p50Ms)} ms  p99 ${formatMs(latency.p99Ms)} ms  errors ${errorCount}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
}
