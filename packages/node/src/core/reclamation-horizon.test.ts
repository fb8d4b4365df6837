import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { MemoryStore } from '../store/memory-store.js';
import { keyToken } from './hash.js';
import { hlcFrom } from './hlc.js';
import { IndexedStore } from './indexed-store.js';
import { bucketOf, recordDigest } from './merkle.js';

const graceMs = 10_000;

/** Per bucket: the XOR of the digests of the records the horizon counts, from a scan of the store. */
function expectedBuckets(store: IndexedStore): Map<number, number> {
  const buckets = new Map<number, number>();
  const records = store.scan({ startExclusive: 0, endInclusive: 0, limit: 10_000, includeTombstones: true });
  for (const record of records) {
    if (!store.inDigest(record)) continue;
    const bucket = bucketOf(record.token);
    buckets.set(bucket, ((buckets.get(bucket) ?? 0) ^ recordDigest(record.key, record)) >>> 0);
  }
  return buckets;
}

// A few keys (so writes collide), versions around the grace period, and the steps that move the horizons.
const step = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    key: fc.integer({ min: 0, max: 3 }),
    ageMs: fc.constantFrom(-graceMs, 0, graceMs / 2, graceMs - 1, graceMs, 2 * graceMs),
    live: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('purge' as const), key: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    kind: fc.constant('wait' as const),
    ms: fc.constantFrom(1, graceMs / 4, graceMs / 2, graceMs),
  }),
  fc.record({ kind: fc.constant('retire' as const), key: fc.integer({ min: 0, max: 3 }) }),
);

describe('reclamation horizons', () => {
  it('property: every bucket digest is the XOR of the records its horizon counts, through any steps', async () => {
    let retired = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 60 }), async (steps) => {
        const clock = new SimClock();
        const store = new IndexedStore(new MemoryStore(), { clock, graceMs });
        for (const s of steps) {
          const key = 'key' in s ? `key-${s.key}` : '';
          if (s.kind === 'put') {
            const version = hlcFrom(clock.nowMs() - s.ageMs, 0);
            await store.put(key, { valueJson: s.live ? '"v"' : null, version, writer: 'a:1' });
          } else if (s.kind === 'purge') {
            const held = store.get(key);
            if (held) await store.purge(key, held.version);
          } else if (s.kind === 'wait') {
            clock.advanceTo(clock.nowMs() + s.ms);
          } else {
            retired += store.retireExpired(bucketOf(keyToken(key)));
          }
        }
        const expected = expectedBuckets(store);
        for (let key = 0; key <= 3; key++) {
          const bucket = bucketOf(keyToken(`key-${key}`));
          expect(store.index.bucketDigest(bucket)).toBe(expected.get(bucket) ?? 0);
        }
        // And no expired tombstone of a key the store did not hold was taken.
        const records = store.scan({
          startExclusive: 0,
          endInclusive: 0,
          limit: 100,
          includeTombstones: true,
        });
        expect(records.length).toBe(store.counts().keys + store.counts().tombstones);
      }),
      { seed: 42, numRuns: 300 },
    );
    // The steps really expired tombstones and took them out of the digests.
    expect(retired).toBeGreaterThan(20);
  });

  it('a tombstone counts until its bucket is retired after it expired, then never again', async () => {
    const clock = new SimClock();
    const store = new IndexedStore(new MemoryStore(), { clock, graceMs });
    await store.put('k', { valueJson: null, version: hlcFrom(clock.nowMs(), 0), writer: 'a:1' });
    const bucket = bucketOf(keyToken('k'));
    const counted = store.index.bucketDigest(bucket);
    expect(counted).not.toBe(0);
    expect(store.retireExpired(bucket)).toBe(0); // not expired yet
    clock.advanceTo(clock.nowMs() + graceMs);
    expect(store.index.bucketDigest(bucket)).toBe(counted); // expired, but the horizon has not moved
    expect(store.retireExpired(bucket)).toBe(1);
    expect(store.index.bucketDigest(bucket)).toBe(0);
    expect(store.retireExpired(bucket)).toBe(0);
    // The store still holds it (the sweeper decides when to collect); purging leaves the digest at 0.
    expect(store.get('k')?.valueJson).toBeNull();
    await store.purge('k', store.get('k')!.version);
    expect(store.index.bucketDigest(bucket)).toBe(0);
  });
});
