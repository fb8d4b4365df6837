/** Store contract: scans in ring order (wrap-around, cursors, tombstones, byte bounds) and hints. */
import { expect, it } from 'vitest';
import { keyToken } from '../core/hash.js';
import type { Store } from './store.js';
import {
  collidingKeys,
  record,
  ringOrder,
  type StoreHarness,
  scanAll,
  value,
} from './store-contract-fixtures.test-helper.js';

export function describeScanTests(harness: () => StoreHarness): void {
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

  it('resumes after a cursor whose record was purged between pages', async () => {
    const store = await filled();
    const range = { startExclusive: 0, endInclusive: 0, limit: 50 };
    const first = store.scan(range);
    const last = first[first.length - 1]!;
    expect(await store.purge(last.key, last.version)).toBe(true);
    const second = store.scan({ ...range, after: { token: last.token, key: last.key } });
    const all = scanAll(store, { startExclusive: 0, endInclusive: 0 }, 1000).map((r) => r.key);
    expect(second.map((r) => r.key)).toEqual(all.slice(49, 99));
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

export function describeHintTests(harness: () => StoreHarness): void {
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
