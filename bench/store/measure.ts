/** The store workloads `bench/store/run.ts` times. Each returns operations per second; none asserts. */
import type { StoredRecord } from '../../packages/node/src/core/types.js';
import type { Store } from '../../packages/node/src/store/store.js';

/** A 100-byte value: JSON text of a 98-character string. */
export const valueJson = JSON.stringify('x'.repeat(98));

export function benchKey(index: number): string {
  return `bench:${index}`;
}

function record(version: number): StoredRecord {
  return { valueJson, version, writer: 'bench:1' };
}

function perSecond(operations: number, startMs: number): number {
  return operations / ((performance.now() - startMs) / 1000);
}

/** `count` puts of new keys with up to `inflightMax` outstanding (lmdb-js batches them per event turn). */
export async function putsInFlight(store: Store, count: number, inflightMax: number, version: number) {
  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let inflight = 0;
    const pump = () => {
      while (inflight < inflightMax && next < count) {
        inflight++;
        store.put(benchKey(next++), record(version)).then(() => {
          inflight--;
          if (next >= count && inflight === 0) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  return perSecond(count, start);
}

/** `count` puts in `putMany` batches of `batchSize`, one batch at a time. */
export async function putManyBatches(store: Store, count: number, batchSize: number, version: number) {
  const start = performance.now();
  for (let first = 0; first < count; first += batchSize) {
    const entries = [];
    for (let index = first; index < Math.min(count, first + batchSize); index++) {
      entries.push({ key: benchKey(index), record: record(version) });
    }
    await store.putMany(entries);
  }
  return perSecond(count, start);
}

/** `count` puts, each awaited before the next: one durable commit (an fsync for LMDB) per put. */
export async function putsOneByOne(store: Store, count: number, version: number) {
  const start = performance.now();
  for (let index = 0; index < count; index++) await store.put(benchKey(index), record(version));
  return perSecond(count, start);
}

/** Gets of `keyCount` existing keys in a shuffled order; the best of `passes`. */
export function gets(store: Store, keyCount: number, passes: number): number {
  const order = Array.from({ length: keyCount }, (_, index) => benchKey((index * 7919) % keyCount));
  let best = 0;
  let found = 0;
  for (let pass = 0; pass < passes; pass++) {
    const start = performance.now();
    for (const key of order) if (store.get(key) !== undefined) found++;
    best = Math.max(best, perSecond(order.length, start));
  }
  if (found !== keyCount * passes) throw new Error(`gets found ${found} of ${keyCount * passes}`);
  return best;
}

/** Every record, in pages of `pageSize` over the whole ring; returns records/s and pages/s. */
export function scanEverything(
  store: Store,
  pageSize: number,
): { recordsPerSecond: number; pagesPerSecond: number } {
  const start = performance.now();
  let records = 0;
  let pages = 0;
  let after: { token: number; key: string } | undefined;
  for (;;) {
    const page = store.scan({
      startExclusive: 0,
      endInclusive: 0,
      limit: pageSize,
      ...(after ? { after } : {}),
    });
    pages++;
    records += page.length;
    const last = page[page.length - 1];
    if (last === undefined || page.length < pageSize) break;
    after = { token: last.token, key: last.key };
  }
  const seconds = (performance.now() - start) / 1000;
  return { recordsPerSecond: records / seconds, pagesPerSecond: pages / seconds };
}
