/** Store contract: single records, last-writer-wins, purge, putMany, counts, sizes, reopening. */
import { expect, it } from 'vitest';
import { record, type StoreHarness, scanAll, value } from './store-contract-fixtures.test-helper.js';

export function describeRecordTests(harness: () => StoreHarness): void {
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

  it('write decides at once: false for a write that is not newer, else true or a promise of true', async () => {
    const store = await harness().open();
    const first = store.write('a', record(value('new'), 20));
    expect(first).not.toBe(false);
    // Decided in the call: a get sees it before any durability is awaited.
    expect(store.get('a')).toEqual(record(value('new'), 20));
    expect(await first).toBe(true);
    expect(store.write('a', record(value('old'), 19))).toBe(false);
    expect(store.write('a', record(value('new'), 20))).toBe(false);
    const newer = store.write('a', record(value('newer'), 21));
    expect(store.get('a')).toEqual(record(value('newer'), 21));
    expect(await newer).toBe(true);
    expect(store.counts().keys).toBe(1);
    expect(() => store.write('', record(value('v'), 1))).toThrow(/key must be/);
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

  it('refuses keys outside 1 to 1024 UTF-8 bytes and malformed versions, as bugs upstream', async () => {
    const store = await harness().open();
    await expect(store.put('', record(value('v'), 1))).rejects.toThrow(/key must be/);
    await expect(store.put('é'.repeat(513), record(value('v'), 1))).rejects.toThrow(/key must be/);
    await expect(store.put('k', record(value('v'), -1))).rejects.toThrow(/version/);
    await expect(store.put('k', record(value('v'), 1.5))).rejects.toThrow(/version/);
    expect(store.counts()).toEqual({ keys: 0, tombstones: 0, bytes: 0 });
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
}

export function describeReopenTests(harness: () => StoreHarness): void {
  it('keeps records, tombstones, counts and hints across close and reopen', async () => {
    const current = harness();
    const store = await current.open();
    await store.put('kept', record(value('v'), 3));
    await store.delete('gone', 4, 'n2:2');
    await store.putHint({ target: 'n3:3', key: 'kept', record: record(value('v'), 3) });
    const counts = store.counts();
    const reopened = await current.reopen!(store);
    expect(reopened.get('kept')).toEqual(record(value('v'), 3));
    expect(reopened.get('gone')).toEqual(record(null, 4, 'n2:2'));
    expect(reopened.counts()).toEqual(counts);
    expect(reopened.hintCount()).toBe(1);
    expect(reopened.hintsFor('n3:3', 10).map((h) => h.key)).toEqual(['kept']);
    expect(await reopened.put('kept', record(value('old'), 2))).toBe(false);
    // Hints written after the reopen queue behind the older ones.
    await reopened.putHint({ target: 'n3:3', key: 'later', record: record(value('w'), 5) });
    expect(reopened.hintsFor('n3:3', 10).map((h) => h.key)).toEqual(['kept', 'later']);
  });

  it('keeps purges and the hint bound across reopen', async () => {
    const current = harness();
    const store = await current.open({ hintsMax: 2 });
    await store.put('a', record(value('v'), 1));
    await store.put('b', record(value('v'), 1));
    await store.purge('a', 1);
    await store.putHint({ target: 'n2:2', key: 'a', record: record(value('v'), 1) });
    await store.putHint({ target: 'n2:2', key: 'b', record: record(value('v'), 1) });
    const reopened = await current.reopen!(store, { hintsMax: 2 });
    expect(reopened.get('a')).toBeUndefined();
    expect(reopened.counts()).toEqual({ keys: 1, tombstones: 0, bytes: 1 + value('v').length });
    expect(await reopened.putHint({ target: 'n2:2', key: 'c', record: record(value('v'), 1) })).toBe(false);
    expect(reopened.hintsDropped()).toBe(1);
  });
}
