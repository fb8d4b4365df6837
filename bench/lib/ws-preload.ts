/**
 * Loads keys 0..count-1 through the WebSocket API in batch frames of `create` requests, several
 * connections at once, before a measurement: reads in the load then always find their key.
 */
import WebSocket from 'ws';
import { keyAt } from './keys.js';

export interface PreloadOptions {
  urls: string[];
  count: number;
  valueJson: string;
  batchSize: number;
  connections: number;
  /** Bound on the whole preload; a slow target fails loudly instead of stalling the run. */
  timeoutMs: number;
}

export interface PreloadResult {
  keys: number;
  failures: number;
  failureSample?: string;
  elapsedMs: number;
}

function batchFrame(first: number, end: number, valueJson: string): string {
  const requests: string[] = [];
  for (let index = first; index < end; index++) {
    requests.push(`{"id":${index},"op":"create","key":"${keyAt(index)}","value":${valueJson}}`);
  }
  return `[${requests.join(',')}]`;
}

/** Replies that failed for a reason other than KEY_EXISTS (a key left by an earlier preload is fine). */
function failuresIn(text: string): { count: number; sample?: string } {
  const replies = JSON.parse(text) as unknown;
  if (!Array.isArray(replies)) return { count: 1, sample: text.slice(0, 300) };
  let count = 0;
  let sample: string | undefined;
  for (const reply of replies as Array<{ ok?: boolean; error?: { code?: string } }>) {
    if (reply.ok === true || reply.error?.code === 'KEY_EXISTS') continue;
    count++;
    sample ??= JSON.stringify(reply).slice(0, 300);
  }
  return { count, sample };
}

async function loadOnConnection(
  url: string,
  take: () => [number, number] | undefined,
  options: PreloadOptions,
) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let failures = 0;
  let sample: string | undefined;
  try {
    for (let range = take(); range !== undefined; range = take()) {
      const reply = new Promise<string>((resolve, reject) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('close', () => reject(new Error(`preload: ${url} closed`)));
      });
      socket.send(batchFrame(range[0], range[1], options.valueJson));
      const result = failuresIn(await reply);
      socket.removeAllListeners('close');
      failures += result.count;
      sample ??= result.sample;
    }
  } finally {
    socket.terminate();
  }
  return { failures, sample };
}

export async function preloadWs(options: PreloadOptions): Promise<PreloadResult> {
  const started = performance.now();
  let next = 0;
  const take = (): [number, number] | undefined => {
    if (next >= options.count || performance.now() - started > options.timeoutMs) return undefined;
    const first = next;
    next = Math.min(options.count, next + options.batchSize);
    return [first, next];
  };
  const workers = Array.from({ length: options.connections }, (_, index) =>
    loadOnConnection(options.urls[index % options.urls.length]!, take, options),
  );
  const results = await Promise.all(workers);
  if (next < options.count)
    throw new Error(`preload: timed out after ${options.timeoutMs} ms at ${next} keys`);
  return {
    keys: options.count,
    failures: results.reduce((sum, result) => sum + result.failures, 0),
    failureSample: results.find((result) => result.sample)?.sample,
    elapsedMs: performance.now() - started,
  };
}
