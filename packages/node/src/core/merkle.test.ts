import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString, keyToken } from './hash.js';
import {
  bucketCount,
  bucketOf,
  bucketsOfRange,
  differingParts,
  digestRecords,
  MerkleIndex,
  recordDigest,
} from './merkle.js';
import { rangeContains } from './ranges.js';
import type { TokenRange } from './ring.js';
import { compareRecords, type StoredRecord } from './types.js';

/** A replica model: records by key, with its MerkleIndex kept up to date on every write. */
class Replica {
  readonly records = new Map<string, StoredRecord>();
  readonly index = new MerkleIndex();

  put(key: string, record: StoredRecord): void {
    const before = this.records.get(key);
    if (before && compareRecords(before, record) >= 0) return;
    this.records.set(key, record);
    this.index.update(keyToken(key), key, before, record);
  }

  digest(range: TokenRange) {
    return this.index.digestRange(range, (part) =>
      digestRecords(
        [...this.records]
          .filter(([key]) => rangeContains(part, keyToken(key)))
          .map(([key, r]) => ({ key, ...r })),
      ),
    );
  }

  recordsIn(parts: TokenRange[]): Array<[string, StoredRecord]> {
    return [...this.records].filter(([key]) => parts.some((p) => rangeContains(p, keyToken(key))));
  }
}

// A (key, version, writer) triple names one write, so its value (or tombstone) follows from the triple:
// two replicas never hold different values under the same version and writer.
const write = fc
  .record({
    key: fc.string({ minLength: 1, maxLength: 6 }),
    version: fc.integer({ min: 1, max: 50 }),
    writer: fc.constantFrom('a:1', 'b:1'),
  })
  .map(({ key, version, writer }) => {
    const name = `${key}/${version}/${writer}`;
    const valueJson = hashString(name) % 4 === 0 ? null : JSON.stringify(name);
    return { key, record: { valueJson, version, writer } };
  });
const token = fc.integer({ min: 0, max: 2 ** 32 - 1 });
// Ranges a few hundred buckets wide at most (a vnode's range is about 50 buckets at 10 nodes x 128 vnodes),
// wrapping past 2^32 - 1 when the start is near the top, so each property run stays cheap.
const range = fc
  .tuple(token, fc.integer({ min: 1, max: 2 ** 24 }))
  .map(([start, width]) => ({ startExclusive: start, endInclusive: (start + width) % 2 ** 32 }));

describe('bucketsOfRange', () => {
  it('covers exactly the tokens of the range, each once, and marks whole buckets', () => {
    fc.assert(
      fc.property(range, fc.array(token, { maxLength: 50 }), (r, probes) => {
        const parts = bucketsOfRange(r);
        for (const t of probes) {
          const covering = parts.filter((p) => rangeContains(p.part, t));
          expect(covering.length).toBe(rangeContains(r, t) ? 1 : 0);
          if (covering[0]) expect(covering[0].bucket).toBe(bucketOf(t));
        }
      }),
    );
  });

  it('splits the whole ring into every bucket, all whole', () => {
    const parts = bucketsOfRange({ startExclusive: 7, endInclusive: 7 });
    expect(parts.filter((p) => p.whole).length).toBe(bucketCount - 1);
    expect(parts.length).toBe(bucketCount + 1); // the bucket holding token 7 is split in two parts
  });
});

describe('recordDigest', () => {
  it('tells records apart by each half of the version, the writer, the tombstone flag and the key', () => {
    const base: StoredRecord = { valueJson: '1', version: 7_400_000_000_000_123, writer: '10.0.0.1:7000' };
    const digest = recordDigest('k', base);
    expect(recordDigest('k', { ...base })).toBe(digest);
    // The value itself is not digested: one write has one (version, writer), so the value follows.
    expect(recordDigest('k', { ...base, valueJson: '2' })).toBe(digest);
    for (const other of [
      recordDigest('k', { ...base, version: base.version + 1 }),
      recordDigest('k', { ...base, version: base.version + 2 ** 32 }),
      recordDigest('k', { ...base, writer: '10.0.0.2:7000' }),
      recordDigest('k', { ...base, valueJson: null }),
      recordDigest('j', base),
    ]) {
      expect(other).not.toBe(digest);
    }
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (key, version) => {
        const value = recordDigest(key, { ...base, version });
        expect(Number.isInteger(value) && value > 0 && value < 2 ** 32).toBe(true);
      }),
    );
  });
});

describe('MerkleIndex', () => {
  it('gives equal digests to replicas holding the same records, whatever the write order', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 60 }), range, fc.integer(), (writes, r, seed) => {
        const a = new Replica();
        const b = new Replica();
        for (const w of writes) a.put(w.key, w.record);
        const shuffled = [...writes].sort(
          (x, y) => ((x.record.version * 31 + seed) % 7) - ((y.record.version * 31 + seed) % 7),
        );
        for (const w of shuffled) b.put(w.key, w.record);
        expect(a.digest(r)).toEqual(b.digest(r));
      }),
    );
  });

  it('finds every differing record, and exchanging the differing parts makes replicas converge', () => {
    fc.assert(
      fc.property(
        fc.array(write, { maxLength: 40 }),
        fc.array(write, { maxLength: 40 }),
        range,
        (left, right, r) => {
          const a = new Replica();
          const b = new Replica();
          for (const w of left) a.put(w.key, w.record);
          for (const w of right) b.put(w.key, w.record);
          const parts = differingParts(a.digest(r), b.digest(r));
          // Anti-entropy: each side sends the other its records in the differing parts.
          const fromA = a.recordsIn(parts);
          const fromB = b.recordsIn(parts);
          for (const [key, record] of fromA) b.put(key, record);
          for (const [key, record] of fromB) a.put(key, record);
          expect(a.digest(r).root).toBe(b.digest(r).root);
          const inRange = (replica: Replica) =>
            [...replica.records]
              .filter(([key]) => rangeContains(r, keyToken(key)))
              .sort(([x], [y]) => (x < y ? -1 : 1));
          expect(inRange(a)).toEqual(inRange(b));
        },
      ),
    );
  });

  it('reports no difference for identical replicas', () => {
    const a = new Replica();
    a.put('k', { valueJson: '1', version: 1, writer: 'a:1' });
    const whole = { startExclusive: 0, endInclusive: 0 };
    expect(differingParts(a.digest(whole), a.digest(whole))).toEqual([]);
  });

  it('tells a tombstone from the value it replaced', () => {
    const a = new Replica();
    const b = new Replica();
    a.put('k', { valueJson: '1', version: 1, writer: 'a:1' });
    b.put('k', { valueJson: '1', version: 1, writer: 'a:1' });
    b.put('k', { valueJson: null, version: 2, writer: 'a:1' });
    const whole = { startExclusive: 0, endInclusive: 0 };
    expect(differingParts(a.digest(whole), b.digest(whole)).length).toBe(1);
  });
});
