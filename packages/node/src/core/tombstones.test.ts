import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { hlcFrom } from './hlc.js';
import { IndexedStore } from './indexed-store.js';
import { Ring } from './ring.js';
import { sweepTombstones, tombstoneCollectable, tombstoneExpired } from './tombstones.js';
import type { StoredRecord } from './types.js';

const graceMs = 60_000;
const nowMs = 1_000_000;
const at = (ms: number, valueJson: string | null = null, writer = 'a:1'): StoredRecord => ({
  valueJson,
  version: hlcFrom(ms, 0),
  writer,
});

describe('tombstone collection rule', () => {
  const old = at(nowMs - graceMs - 1);
  it('keeps live records and tombstones younger than the grace period', () => {
    expect(tombstoneExpired(at(nowMs - graceMs - 1, '1'), nowMs, graceMs)).toBe(false);
    expect(tombstoneExpired(at(nowMs - graceMs + 1), nowMs, graceMs)).toBe(false);
    expect(tombstoneExpired(old, nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(at(nowMs - 1), [undefined, undefined], nowMs, graceMs)).toBe(false);
  });
  it('drops an expired tombstone only when no replica could resurrect an older value', () => {
    expect(tombstoneCollectable(old, [old, old], nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(old, [undefined, old], nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(old, [at(nowMs - 5, '"newer"'), old], nowMs, graceMs)).toBe(true);
    // A replica that missed the delete still holds the older value: keep the tombstone.
    expect(tombstoneCollectable(old, [at(nowMs - graceMs - 10, '"older"'), old], nowMs, graceMs)).toBe(false);
    // A replica that did not answer might: keep it too.
    expect(tombstoneCollectable(old, ['unknown', old], nowMs, graceMs)).toBe(false);
  });
});

describe('sweepTombstones', () => {
  it('drops agreed expired tombstones, keeps those a replica still holds an older value for', async () => {
    const ids = ['a:1', 'b:1'];
    const stores = new Map(ids.map((id) => [id, new IndexedStore(new MemoryStore())]));
    const ring = Ring.fromMembers(ids.map((id, i) => ({ id, tokens: [i * 2 ** 31] })));
    const a = stores.get('a:1')!;
    const b = stores.get('b:1')!;
    const deleted = at(nowMs - graceMs - 100);
    await a.put('agreed', deleted);
    await b.put('agreed', deleted);
    await a.put('disputed', deleted);
    await b.put('disputed', at(nowMs - graceMs - 200, '"old value"'));
    await a.put('young', at(nowMs - 10));
    await b.put('young', at(nowMs - 10));
    const result = await sweepTombstones(
      {
        self: 'a:1',
        store: a,
        placement: { ring: () => ring, isLive: () => true },
        channel: { readReplica: async (node, key) => stores.get(node)!.get(key) },
        replicationFactor: 2,
        nowMs,
        graceMs,
      },
      undefined,
    );
    expect(result.dropped).toBe(1);
    expect(a.get('agreed')).toBeUndefined();
    expect(a.get('disputed')).toEqual(deleted);
    expect(a.get('young')).toBeDefined();
  });
});
