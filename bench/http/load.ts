/**
 * autocannon with the benchmark's mix: every connection cycles through 9 reads and 1 update of random
 * preloaded keys (percent-encoded in the path, SPEC section 2).
 */
import autocannon from 'autocannon';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';
import type { LoadResult } from '../lib/ws-load.js';

export interface HttpLoadOptions {
  urls: string[];
  connections: number;
  pipelining: number;
  durationSeconds: number;
  keyspace: number;
}

export function mixRequests(keyspace: number, seed: number): autocannon.Request[] {
  const random = seededRandom(seed);
  const randomKey = () => encodeURIComponent(keyAt(Math.floor(random() * keyspace)));
  const read: autocannon.Request = {
    method: 'GET',
    setupRequest: (request) => ({ ...request, path: `/read/${randomKey()}` }),
  };
  const update: autocannon.Request = {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: `{"value":${jsonValueText}}`,
    setupRequest: (request) => ({ ...request, path: `/update/${randomKey()}` }),
  };
  return [read, read, read, read, read, read, read, read, read, update];
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    // autocannon takes several URLs at run time and spreads connections over them; its types say string.
    url: (options.urls.length === 1 ? options.urls[0]! : options.urls) as string,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: options.durationSeconds,
    requests: mixRequests(options.keyspace, 13),
  });
  const errors = result.non2xx + result.errors + result.timeouts;
  return {
    opsPerSecond: result.requests.average,
    latency: {
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      p999Ms: result.latency.p99_9,
      maxMs: result.latency.max,
      count: result.requests.total,
    },
    errors,
    errorSample:
      errors > 0
        ? `non2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`
        : undefined,
    skipped: 0,
  };
}
