import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { describeStoreContract } from '../store/store-contract.test-helper.js';
import { IndexedStore } from './indexed-store.js';
import { bucketCount } from './merkle.js';

describeStoreContract('IndexedStore over MemoryStore', () => {
  const opened: Store[] = [];
  return {
    async open(options) {
      const store = new IndexedStore(new MemoryStore(options));
      opened.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
});

/** The non-zero bucket digests, as [bucket, digest] pairs (a few, where the whole tree has 65,536). */
function bucketDigests(store: IndexedStore): Array<[number, number]> {
  const digests: Array<[number, number]> = [];
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const digest = store.index.bucketDigest(bucket);
    if (digest !== 0) digests.push([bucket, digest]);
  }
  return digests;
}

describe('IndexedStore', () => {
  it('keeps its hash tree equal to one rebuilt from the records, whichever way writes arrive', async () => {
    const write = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd'),
      version: fc.integer({ min: 1, max: 2 ** 40 }),
      writer: fc.constantFrom('n1:1', 'n2:1'),
      tombstone: fc.boolean(),
      how: fc.constantFrom('write', 'put', 'putMany', 'delete'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(write, { maxLength: 40 }), async (writes) => {
        const store = new IndexedStore(new MemoryStore());
        for (const { key, version, writer, tombstone, how } of writes) {
          const record = { valueJson: tombstone ? null : JSON.stringify(version), version, writer };
          if (how === 'write') await store.write(key, record);
          else if (how === 'put') await store.put(key, record);
          else if (how === 'putMany') await store.putMany([{ key, record }]);
          else await store.delete(key, version, writer);
        }
        expect(bucketDigests(store)).toEqual(bucketDigests(new IndexedStore(store.inner)));
      }),
      { numRuns: 200 },
    );
  });
});
