import type { PeerReplyByRequest, PeerRequest } from '@ringkv/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { hashString } from './hash.js';
import { IndexedStore } from './indexed-store.js';
import { bucketsOfRange, digestRecords } from './merkle.js';
import { differingPartsWith, pullRange, RepairService } from './repair-sync.js';
import type { PeerRequester } from './replica.js';
import type { TokenRange } from './ring.js';
import type { StoredRecord } from './types.js';

const token = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const range = fc.oneof(
  fc.record({ startExclusive: token, endInclusive: token }),
  // Small ranges inside one or two buckets exercise the partial edge buckets.
  fc
    .tuple(token, fc.integer({ min: 1, max: 200_000 }))
    .map(([start, width]) => ({ startExclusive: start, endInclusive: (start + width) % 2 ** 32 })),
);
// A (key, version, writer) triple names one write, so whether it is a delete must follow from the triple:
// two replicas can never hold a value and a tombstone under the same version and writer.
const write = fc
  .record({
    key: fc.integer({ min: 0, max: 60 }).map((i) => `key-${i}`),
    version: fc.integer({ min: 1, max: 50 }),
    writer: fc.constantFrom('a:1', 'b:1'),
  })
  .map((w) => ({ ...w, tombstone: hashString(`${w.key}/${w.version}/${w.writer}`) % 4 === 0 }));
type Write = typeof write extends fc.Arbitrary<infer T> ? T : never;

const recordOf = (w: Write): StoredRecord => ({
  valueJson: w.tombstone ? null : JSON.stringify(`${w.key}@${w.version}`),
  version: w.version,
  writer: w.writer,
});

async function storeWith(writes: readonly Write[]): Promise<IndexedStore> {
  const store = new IndexedStore(new MemoryStore());
  for (const w of writes) await store.put(w.key, recordOf(w));
  return store;
}

/** Connects a requester straight to another node's repair service (the peer transport's job in a node). */
function directTo(service: RepairService): PeerRequester {
  return {
    request: async <T extends PeerRequest>(_to: string, request: T) => {
      if (request.type === 'repair-digest') {
        return service.serveDigest(request) as PeerReplyByRequest[T['type']];
      }
      if (request.type === 'repair-fetch')
        return service.serveFetch(request) as PeerReplyByRequest[T['type']];
      throw new Error(`unexpected ${request.type}`);
    },
  };
}

function allRecords(store: IndexedStore) {
  return store.scan({ startExclusive: 0, endInclusive: 0, limit: 10_000, includeTombstones: true });
}

describe('IndexedStore', () => {
  it('keeps the index equal to a rebuild from the store, through puts, stale puts, putMany and purges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { maxLength: 80 }),
        fc.array(write, { maxLength: 20 }),
        async (a, b) => {
          const store = await storeWith(a);
          await store.putMany(b.map((w) => ({ key: w.key, record: recordOf(w) })));
          for (const w of a.slice(0, 5)) await store.purge(w.key, w.version);
          const rebuilt = new IndexedStore(store.inner);
          for (let bucket = 0; bucket < 65_536; bucket += 1) {
            if (store.index.bucketDigest(bucket) !== rebuilt.index.bucketDigest(bucket)) {
              expect.fail(`bucket ${bucket} differs from a rebuild`);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('RepairService digests', () => {
  it('root and bucket digests equal MerkleIndex.digestRange for any range', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { maxLength: 80 }), range, async (writes, r: TokenRange) => {
        const store = await storeWith(writes);
        const service = new RepairService(store);
        const expected = store.index.digestRange(r, (part) =>
          digestRecords(store.scan({ ...part, limit: 10_000, includeTombstones: true })),
        );
        expect(service.root(r)).toBe(expected.root);
        const buckets = bucketsOfRange(r);
        const first = Math.max(0, buckets.length - 3);
        const slice = service.digests(r, first, 10);
        expect(slice.map((s) => s.digest)).toEqual(expected.buckets.slice(first).map((b) => b.digest));
        expect(slice.map((s) => s.part)).toEqual(buckets.slice(first).map((b) => b.part));
      }),
      { numRuns: 60 },
    );
  });
});

describe('differingPartsWith + pullRange', () => {
  it('two replicas that exchange their differing parts both ways end with the same records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { maxLength: 60 }),
        fc.array(write, { maxLength: 60 }),
        async (a, b) => {
          const left = await storeWith(a);
          const right = await storeWith(b);
          const leftService = new RepairService(left);
          const rightService = new RepairService(right);
          const whole = { startExclusive: 7, endInclusive: 7 };
          const options = { timeoutMs: 1_000, partsMax: 100_000 };
          for (const [store, local, remote] of [
            [left, leftService, rightService],
            [right, rightService, leftService],
          ] as const) {
            const parts = await differingPartsWith(directTo(remote), 'peer', whole, local, options);
            // Pages of 3 records exercise the `next` cursor.
            for (const part of parts) {
              await pullRange(directTo(remote), 'peer', part, store, { timeoutMs: 1_000, recordsMax: 3 });
            }
          }
          expect(allRecords(left)).toEqual(allRecords(right));
          expect(leftService.root(whole)).toBe(rightService.root(whole));
          expect(
            await differingPartsWith(directTo(rightService), 'peer', whole, leftService, options),
          ).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
