/** `ringkv load`: writes keys PREFIX0..PREFIXN-1 (create; an existing key is updated instead). */
import { RingKvError } from '@ringkv/client';
import { Presets, SingleBar } from 'cli-progress';
import { writeJson } from './common.js';
import { formatMs, newHistogram, recordMicros, summarize } from './latency.js';
import { errorCode, type WorkloadFlags, workloadClient } from './workload.js';

/** Distinct error messages kept for the summary; the counts cover every error. */
const errorSamplesMax = 5;

export async function runLoad(flags: WorkloadFlags & { keys: number }): Promise<number> {
  const client = await workloadClient(flags);
  const value = 'x'.repeat(flags.valueBytes);
  const histogram = newHistogram();
  const errors = new Map<string, number>();
  const samples: string[] = [];
  let next = 0;
  let written = 0;
  let updated = 0;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'load [{bar}] {percentage}% | {value}/{total} keys | {rate} ops/s | eta {eta}s',
      noTTYOutput: true,
      notTTYSchedule: 1000,
      etaBuffer: 1000,
    },
    Presets.shades_classic,
  );
  const startedMs = Date.now();
  bar.start(flags.keys, 0, { rate: 0 });
  const progress = setInterval(() => {
    const seconds = (Date.now() - startedMs) / 1000;
    bar.update(written + sumValues(errors), { rate: Math.round(written / Math.max(seconds, 0.001)) });
  }, 250);

  const worker = async () => {
    // Each worker takes the next index until all are taken: bounded by --keys.
    for (let index = next++; index < flags.keys; index = next++) {
      const key = `${flags.prefix}${index}`;
      const started = process.hrtime.bigint();
      try {
        await client.create(key, value).catch(async (error: unknown) => {
          if (!(error instanceof RingKvError) || error.code !== 'KEY_EXISTS') throw error;
          updated++;
          return client.update(key, value);
        });
        recordMicros(histogram, started);
        written++;
      } catch (error) {
        const code = errorCode(error);
        errors.set(code, (errors.get(code) ?? 0) + 1);
        if (samples.length < errorSamplesMax) samples.push(`${code}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(flags.concurrency, flags.keys) }, worker));
  clearInterval(progress);
  const seconds = (Date.now() - startedMs) / 1000;
  bar.update(written + sumValues(errors), { rate: Math.round(written / Math.max(seconds, 0.001)) });
  bar.stop();
  client.close();

  const latency = summarize(histogram);
  const opsPerSecond = Math.round(written / Math.max(seconds, 0.001));
  process.stderr.write(
    `loaded ${written} of ${flags.keys} keys in ${seconds.toFixed(1)} s: ${opsPerSecond} ops/s, ` +
      `p50 ${formatMs(latency.p50Ms)} ms, p99 ${formatMs(latency.p99Ms)} ms, p99.9 ${formatMs(latency.p999Ms)} ms` +
      (errors.size > 0 ? `, errors ${JSON.stringify(Object.fromEntries(errors))}` : '') +
      '\n',
  );
  for (const sample of samples) process.stderr.write(`  ${sample}\n`);
  writeJson({
    keys: flags.keys,
    written,
    updated,
    errors: Object.fromEntries(errors),
    seconds,
    opsPerSecond,
    concurrency: flags.concurrency,
    latencyMs: latency,
  });
  return errors.size > 0 ? 1 : 0;
}

function sumValues(map: Map<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}
