/**
 * Loads keys 0..count-1 through the WebSocket API in batch frames of `create` requests, several
 * connections at once, before a measurement: reads in the load then always find their key. Keys that
 * fail (a cluster still settling) are re-sent in a few more rounds; the rest are reported.
 */
import WebSocket from 'ws';
import { jsonValueText, keyAt } from './keys.js';

export interface PreloadOptions {
  urls: string[];
  count: number;
  valueJson: string;
  batchSize: number;
  connections: number;
  /** Bound on the whole preload; a slow target fails loudly instead of stalling the run. */
  timeoutMs: number;
  /** At the time bound, stop and report the keys loaded so far instead of throwing. */
  allowPartial?: boolean;
}

export interface PreloadResult {
  /** Keys sent (count, or fewer when a partial load hit its time bound); `failures` of them failed. */
  keys: number;
  failures: number;
  failureSample?: string;
  elapsedMs: number;
}

/** Rounds of re-sending keys whose create failed (a cluster that is still settling answers UNAVAILABLE). */
const preloadRoundsMax = 5;
const preloadRetryPauseMs = 500;

function batchFrame(indexes: readonly number[], valueJson: string): string {
  const requests = indexes.map(
    (index) => `{"id":${index},"op":"create","key":"${keyAt(index)}","value":${valueJson}}`,
  );
  return `[${requests.join(',')}]`;
}

/** Keys whose create failed for a reason other than KEY_EXISTS (a key left by an earlier try is fine). */
function failuresIn(text: string, indexes: readonly number[]): { failed: number[]; sample?: string } {
  const replies = JSON.parse(text) as unknown;
  if (!Array.isArray(replies)) return { failed: [...indexes], sample: text.slice(0, 300) };
  const failed: number[] = [];
  let sample: string | undefined;
  (replies as Array<{ ok?: boolean; error?: { code?: string } }>).forEach((reply, position) => {
    if (reply.ok === true || reply.error?.code === 'KEY_EXISTS') return;
    failed.push(indexes[position]!);
    sample ??= JSON.stringify(reply).slice(0, 300);
  });
  return { failed, sample };
}

async function loadOnConnection(url: string, take: () => number[] | undefined, options: PreloadOptions) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const failed: number[] = [];
  let sample: string | undefined;
  try {
    for (let indexes = take(); indexes !== undefined; indexes = take()) {
      const reply = new Promise<string>((resolve, reject) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('close', () => reject(new Error(`preload: ${url} closed`)));
      });
      socket.send(batchFrame(indexes, options.valueJson));
      const result = failuresIn(await reply, indexes);
      socket.removeAllListeners('close');
      failed.push(...result.failed);
      sample ??= result.sample;
    }
  } finally {
    socket.terminate();
  }
  return { failed, sample };
}

/** One pass over `indexes` on several connections; returns the keys that failed. */
async function preloadRound(indexes: readonly number[], options: PreloadOptions, deadlineMs: number) {
  let next = 0;
  const take = (): number[] | undefined => {
    if (next >= indexes.length || performance.now() > deadlineMs) return undefined;
    const slice = indexes.slice(next, next + options.batchSize);
    next += slice.length;
    return slice;
  };
  const workers = Array.from({ length: options.connections }, (_, index) =>
    loadOnConnection(options.urls[index % options.urls.length]!, take, options),
  );
  const results = await Promise.all(workers);
  if (next < indexes.length && !options.allowPartial) {
    throw new Error(`preload: timed out after ${options.timeoutMs} ms`);
  }
  return {
    failed: results.flatMap((result) => result.failed),
    sample: results.find((result) => result.sample)?.sample,
    unsent: indexes.length - next,
  };
}

export async function preloadWs(options: PreloadOptions): Promise<PreloadResult> {
  const started = performance.now();
  const deadlineMs = started + options.timeoutMs;
  let pending = Array.from({ length: options.count }, (_, index) => index);
  let failureSample: string | undefined;
  let unsent = 0;
  for (let round = 0; round < preloadRoundsMax && pending.length > 0 && unsent === 0; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, preloadRetryPauseMs));
    const result = await preloadRound(pending, options, deadlineMs);
    pending = result.failed;
    unsent = result.unsent;
    failureSample ??= result.sample;
  }
  return {
    keys: options.count - unsent,
    failures: pending.length,
    failureSample,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The micro-benchmarks' usual preload: keys 0..count-1 with the standard 100-byte value, batches of 500
 * over 4 connections, within 2 minutes; throws when any key failed, so no cell runs on a partial keyspace.
 */
export async function preloadBenchKeys(urls: string[], count: number): Promise<PreloadResult> {
  const options = { urls, count, valueJson: jsonValueText, batchSize: 500, connections: 4 };
  const result = await preloadWs({ ...options, timeoutMs: 120_000 });
  if (result.failures > 0)
    throw new Error(`preload: ${result.failures} keys failed (${result.failureSample})`);
  return result;
}
