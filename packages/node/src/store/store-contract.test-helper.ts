/**
 * The one test suite every engine passes (run from memory-store.test.ts and lmdb-store.test.ts). It states
 * the `Store` contract: last-writer-wins apply, purge, scans in ring order with wrap-around and resumable
 * pages, counts, hints, the size limits of SPEC section 2, and (for engines that persist) reopening.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { keyToken } from '../core/hash.js';
import { compareRecords, type StoredRecord } from '../core/types.js';
import { compareKeys } from './key-order.js';
import type { KeyedRecord, ScanOptions, Store } from './store.js';
import type { StoreOptions } from './store-common.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  open(options?: StoreOptions): Promise<Store>;
  /** Closes `store` and opens the same data again; absent for engines that keep nothing. */
  reopen?(store: Store, options?: StoreOptions): Promise<Store>;
  /** Closes what is still open and removes what the harness created. */
  cleanup(): Promise<void>;
}

const value = (text: string) => JSON.stringify(text);
const record = (valueJson: string | null, version: number, writer = 'n1:1'): StoredRecord => ({
  valueJson,
  version,
  writer,
});

/** Two keys with the same murmur3 token, to pin down the order within one token. */
export const collidingKeys = ['k15599', 'k97211'] as const;

function ringOrder(a: { token: number; key: string }, b: { token: number; key: string }): number {
  return a.token !== b.token ? a.token - b.token : compareKeys(a.key, b.key);
}

/** Every record in `range`, read page by page with `after`. */
export function scanAll(
  store: Store,
  range: Omit<ScanOptions, 'limit' | 'after'>,
  limit: number,
): KeyedRecord[] {
  const all: KeyedRecord[] = [];
  for (let pages = 0; pages < 100_000; pages++) {
    const last = all[all.length - 1];
    const page = store.scan({
      ...range,
      limit,
      ...(last ? { after: { token: last.token, key: last.key } } : {}),
    });
    all.push(...page);
    if (page.length < limit) return all;
  }
  throw new Error('scanAll: too many pages');
}

export function describeStoreContract(engine: string, makeHarness: () => StoreHarness): void {
  describe(`Store contract: ${engine}`, () => {
    let harness = makeHarness();
    afterEach(async () => {
      await harness.cleanup();
      harness = makeHarness();
    });

    describeRecordTests(() => harness);
    describeScanTests(() => harness);
    describeHintTests(() => harness);
    describePropertyTests(() => harness);
  });
}

function describeRecordTests(harness: () => StoreHarness): void {
  it('gets nothing for an unknown key, then what was put', async () => {
    const store = await harness().open();
    expect(store.get('a')).toBeUndefined();
    expect(await store.put('a', record(value('x'), 10))).toBe(true);
    expect(store.get('a')).toEqual(record(value('x'), 10));
  });

  it('ignores an older put and the same write twice, applies a newer one', async () => {
    const store = await harness().open();
    await store.put('a', record(value('new'), 20));
    expect(await store.put('a', record(value('old'), 19))).toBe(false);
    expect(await store.put('a', record(value('new'), 20))).toBe(false);
    expect(store.get('a')).toEqual(record(value('new'), 20));
    expect(await store.put('a', record(value('newer'), 21))).toBe(true);
    expect(store.get('a')).toEqual(record(value('newer'), 21));
  });

  it('breaks a tie of versions by the larger writer, in either arrival order', async () => {
    const store = await harness().open();
    expect(await store.put('a', record(value('from b'), 5, 'b:1'))).toBe(true);
    expect(await store.put('a', record(value('from a'), 5, 'a:1'))).toBe(false);
    expect(await store.put('a', record(value('from c'), 5, 'c:1'))).toBe(true);
    expect(store.get('a')).toEqual(record(value('from c'), 5, 'c:1'));
  });

  it('orders tombstones and values by version alone', async () => {
    const store = await harness().open();
    await store.put('a', record(value('v'), 10));
    expect(await store.delete('a', 11, 'n1:1')).toBe(true);
    expect(store.get('a')).toEqual(record(null, 11));
    expect(await store.put('a', record(value('stale'), 10))).toBe(false);
    expect(await store.delete('a', 9, 'n1:1')).toBe(false);
    expect(await store.put('a', record(value('back'), 12))).toBe(true);
    expect(store.get('a')).toEqual(record(value('back'), 12));
    expect(await store.delete('never-written', 3, 'n1:1')).toBe(true);
    expect(store.get('never-written')).toEqual(record(null, 3));
  });

  it('purges only the exact version held', async () => {
    const store = await harness().open();
    await store.delete('a', 7, 'n1:1');
    expect(await store.purge('a', 6)).toBe(false);
    expect(store.counts().tombstones).toBe(1);
    expect(await store.purge('a', 7)).toBe(true);
    expect(store.get('a')).toBeUndefined();
    expect(await store.purge('a', 7)).toBe(false);
    expect(store.counts()).toEqual({ keys: 0, tombstones: 0, bytes: 0 });
  });

  it('applies putMany entry by entry, in order, reporting each', async () => {
    const store = await harness().open();
    await store.put('held', record(value('h'), 50));
    const applied = await store.putMany([
      { key: 'a', record: record(value('a1'), 1) },
      { key: 'a', record: record(value('a2'), 2) },
      { key: 'b', record: record(value('b2'), 2) },
      { key: 'b', record: record(value('b1'), 1) },
      { key: 'held', record: record(value('older'), 49) },
    ]);
    expect(applied).toEqual([true, true, true, false, false]);
    expect(store.get('a')).toEqual(record(value('a2'), 2));
    expect(store.get('b')).toEqual(record(value('b2'), 2));
    expect(store.get('held')).toEqual(record(value('h'), 50));
    expect(await store.putMany([])).toEqual([]);
  });

  it('keeps counts of keys, tombstones and UTF-8 bytes as records change', async () => {
    const store = await harness().open();
    expect(store.counts()).toEqual({ keys: 0, tombstones: 0, bytes: 0 });
    await store.put('π', record(value('é'), 1)); // 2 + 4 bytes
    await store.put('ab', record('123', 1)); // 2 + 3 bytes
    expect(store.counts()).toEqual({ keys: 2, tombstones: 0, bytes: 11 });
    await store.put('ab', record('12345', 2));
    expect(store.counts()).toEqual({ keys: 2, tombstones: 0, bytes: 13 });
    await store.delete('π', 2, 'n1:1');
    expect(store.counts()).toEqual({ keys: 1, tombstones: 1, bytes: 7 });
    await store.put('π', record('1', 3));
    expect(store.counts()).toEqual({ keys: 2, tombstones: 0, bytes: 10 });
  });

  it('holds keys of 1024 bytes, values of 1 MiB and any Unicode key', async () => {
    const store = await harness().open();
    const longAscii = 'k'.repeat(1024);
    const longUnicode = '€'.repeat(341) + 'x'; // 3 * 341 + 1 = 1024 bytes
    const megabyte = JSON.stringify('v'.repeat(1024 * 1024 - 2));
    const unicodeKeys = ['🙂 smile', '日本語のキー', 'nul\u0000inside', 'a/b?c=d&e', '\uffff', '\u{10ffff}'];
    await store.put(longAscii, record(megabyte, 1));
    await store.put(longUnicode, record(value('u'), 1));
    for (const key of unicodeKeys) await store.put(key, record(value(key), 1));
    expect(store.get(longAscii)?.valueJson).toBe(megabyte);
    expect(store.get(longUnicode)).toEqual(record(value('u'), 1));
    for (const key of unicodeKeys) expect(store.get(key)).toEqual(record(value(key), 1));
    const all = scanAll(store, { startExclusive: 0, endInclusive: 0 }, 3);
    expect(all.map((r) => r.key).sort()).toEqual([longAscii, longUnicode, ...unicodeKeys].sort());
    expect(all.find((r) => r.key === longAscii)?.valueJson).toBe(megabyte);
    const unicodeBytes = unicodeKeys.reduce(
      (sum, key) => sum + Buffer.byteLength(key) + Buffer.byteLength(value(key)),
      0,
    );
    expect(store.counts().bytes).toBe(1024 + megabyte.length + 1024 + 3 + unicodeBytes);
  });

  it('keeps records, tombstones, counts and hints across close and reopen', async () => {
    const current = harness();
    if (current.reopen === undefined) return;
    const store = await current.open();
    await store.put('kept', record(value('v'), 3));
    await store.delete('gone', 4, 'n2:2');
    await store.putHint({ target: 'n3:3', key: 'kept', record: record(value('v'), 3) });
    const counts = store.counts();
    const reopened = await current.reopen(store);
    expect(reopened.get('kept')).toEqual(record(value('v'), 3));
    expect(reopened.get('gone')).toEqual(record(null, 4, 'n2:2'));
    expect(reopened.counts()).toEqual(counts);
    expect(reopened.hintCount()).toBe(1);
    expect(reopened.hintsFor('n3:3', 10).map((h) => h.key)).toEqual(['kept']);
    expect(await reopened.put('kept', record(value('old'), 2))).toBe(false);
  });
}

function describeScanTests(harness: () => StoreHarness): void {
  const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`).concat(collidingKeys);
  const expected = keys.map((key) => ({ key, token: keyToken(key) })).sort(ringOrder);

  async function filled(): Promise<Store> {
    const store = await harness().open();
    await store.putMany(keys.map((key, i) => ({ key, record: record(value(key), i + 1) })));
    return store;
  }

  it('scans the whole ring in (token, key) order, page by page', async () => {
    const store = await filled();
    expect(keyToken(collidingKeys[0])).toBe(keyToken(collidingKeys[1]));
    for (const limit of [1, 7, 1000]) {
      const all = scanAll(store, { startExclusive: 12345, endInclusive: 12345 }, limit);
      const fromZero = expected
        .filter((e) => e.token > 12345)
        .concat(expected.filter((e) => e.token <= 12345));
      expect(all.map((r) => r.key)).toEqual(fromZero.map((e) => e.key));
    }
    const first = store
      .scan({ startExclusive: 0, endInclusive: 0, limit: 1000 })
      .find((r) => r.key === 'key-5');
    expect(first).toEqual({ key: 'key-5', token: keyToken('key-5'), ...record(value('key-5'), 6) });
  });

  it('splits the ring into a plain range and its wrapping complement', async () => {
    const store = await filled();
    const low = expected[40]!.token;
    const high = expected[200]!.token;
    const inside = scanAll(store, { startExclusive: low, endInclusive: high }, 13).map((r) => r.key);
    const outside = scanAll(store, { startExclusive: high, endInclusive: low }, 13).map((r) => r.key);
    expect(inside).toEqual(expected.filter((e) => e.token > low && e.token <= high).map((e) => e.key));
    expect(outside).toEqual(
      expected
        .filter((e) => e.token > high)
        .concat(expected.filter((e) => e.token <= low))
        .map((e) => e.key),
    );
    expect(inside.length + outside.length).toBe(keys.length);
    const edges = store.scan({ startExclusive: 0xffff_fffe, endInclusive: 0xffff_ffff, limit: 10 });
    expect(edges.map((r) => r.key)).toEqual(
      expected.filter((e) => e.token === 0xffff_ffff).map((e) => e.key),
    );
  });

  it('resumes after a cursor between two keys of one token', async () => {
    const store = await filled();
    const token = keyToken(collidingKeys[0]);
    const page = store.scan({
      startExclusive: token - 1,
      endInclusive: token,
      after: { token, key: collidingKeys[0] },
      limit: 10,
    });
    expect(page.map((r) => r.key)).toEqual([collidingKeys[1]]);
  });

  it('skips tombstones unless asked for them', async () => {
    const store = await filled();
    for (const key of keys.slice(0, 100)) await store.delete(key, 10_000, 'n1:1');
    const live = scanAll(store, { startExclusive: 0, endInclusive: 0 }, 9);
    const everything = scanAll(store, { startExclusive: 0, endInclusive: 0, includeTombstones: true }, 9);
    expect(live.length).toBe(keys.length - 100);
    expect(live.every((r) => r.valueJson !== null)).toBe(true);
    expect(everything.length).toBe(keys.length);
    expect(everything.filter((r) => r.valueJson === null).length).toBe(100);
    expect(store.counts()).toMatchObject({ keys: keys.length - 100, tombstones: 100 });
  });

  it('ends a page at bytesMax but always returns at least one record', async () => {
    const store = await harness().open();
    for (const key of ['a', 'b', 'c', 'd']) await store.put(key, record(JSON.stringify('x'.repeat(998)), 1));
    expect(store.scan({ startExclusive: 0, endInclusive: 0, limit: 100, bytesMax: 1 })).toHaveLength(1);
    expect(store.scan({ startExclusive: 0, endInclusive: 0, limit: 100, bytesMax: 2002 })).toHaveLength(2);
  });
}

function describeHintTests(harness: () => StoreHarness): void {
  it('keeps hints per target, oldest first, until deleted', async () => {
    const store = await harness().open();
    for (let i = 0; i < 5; i++) {
      expect(await store.putHint({ target: 'n2:2', key: `k${i}`, record: record(value('v'), i + 1) })).toBe(
        true,
      );
      await store.putHint({ target: 'n3:3', key: `other${i}`, record: record(null, i + 1) });
    }
    expect(store.hintCount()).toBe(10);
    const firstThree = store.hintsFor('n2:2', 3);
    expect(firstThree.map((h) => h.key)).toEqual(['k0', 'k1', 'k2']);
    expect(firstThree[1]).toMatchObject({ target: 'n2:2', key: 'k1', record: record(value('v'), 2) });
    await store.deleteHint(firstThree[0]!.id);
    await store.deleteHint(firstThree[1]!.id);
    expect(store.hintsFor('n2:2', 10).map((h) => h.key)).toEqual(['k2', 'k3', 'k4']);
    expect(store.hintsFor('n3:3', 1)[0]).toMatchObject({ key: 'other0', record: record(null, 1) });
    expect(store.hintsFor('nobody:1', 10)).toEqual([]);
    expect(store.hintCount()).toBe(8);
  });

  it('drops and counts hints beyond hintsMax', async () => {
    const store = await harness().open({ hintsMax: 3 });
    const hint = { target: 'n2:2', key: 'k', record: record(value('v'), 1) };
    for (let i = 0; i < 3; i++) expect(await store.putHint(hint)).toBe(true);
    expect(await store.putHint(hint)).toBe(false);
    expect(await store.putHint({ ...hint, target: 'n3:3' })).toBe(false);
    expect(store.hintCount()).toBe(3);
    expect(store.hintsDropped()).toBe(2);
    await store.deleteHint(store.hintsFor('n2:2', 1)[0]!.id);
    expect(await store.putHint(hint)).toBe(true);
  });
}

interface Write {
  key: string;
  valueJson: string | null;
  version: number;
  writer: string;
}

const writeArbitrary: fc.Arbitrary<Write> = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'é', '🙂'),
  valueJson: fc.option(
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    { nil: null },
  ),
  version: fc.integer({ min: 0, max: 8 }),
  writer: fc.constantFrom('n1:1', 'n2:2', 'n3:3'),
});

/** The reference model: per key, the greatest record by `compareRecords`. */
function model(writes: Write[]): Map<string, StoredRecord> {
  const winners = new Map<string, StoredRecord>();
  for (const { key, ...rest } of writes) {
    const held = winners.get(key);
    if (held === undefined || compareRecords(rest, held) > 0) winners.set(key, rest);
  }
  return winners;
}

function describePropertyTests(harness: () => StoreHarness): void {
  it('holds, per key, the newest of any sequence of puts, even with all of them in flight at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArbitrary, { maxLength: 40 }),
        fc.boolean(),
        async (writes, concurrent) => {
          const store = await harness().open();
          try {
            const put = (w: Write) =>
              store.put(w.key, { valueJson: w.valueJson, version: w.version, writer: w.writer });
            if (concurrent) await Promise.all(writes.map(put));
            else for (const write of writes) await put(write);
            const winners = model(writes);
            for (const key of ['a', 'b', 'c', 'd', 'é', '🙂'])
              expect(store.get(key)).toEqual(winners.get(key));
            const scanned = scanAll(
              store,
              { startExclusive: 0, endInclusive: 0, includeTombstones: true },
              2,
            );
            expect(scanned.length).toBe(winners.size);
            const records = [...winners.values()];
            expect(store.counts()).toMatchObject({
              keys: records.filter((r) => r.valueJson !== null).length,
              tombstones: records.filter((r) => r.valueJson === null).length,
            });
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
}
