import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerReplyByRequest, PeerRequest } from '@ringkv/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../store/lmdb-store.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { hlcFrom } from './hlc.js';
import { IndexedStore } from './indexed-store.js';
import { bucketCount } from './merkle.js';
import { graceMs, ringOf, World } from './reclamation.test-helper.js';
import { pullRange, RepairService } from './repair-sync.js';
import type { PeerRequester } from './replica.js';

/** Storage reclamation over both engines: the write-path guard, the digests, hints, sweeping, reopening. */
const wholeRing = { startExclusive: 0, endInclusive: 0 };
const dirs = new Map<Store, string>();
interface Engine {
  open(): Promise<Store>;
  /** Closes `store` and opens it again from disk; undefined for an engine that keeps nothing. */
  reopen?(store: Store): Promise<Store>;
}
const engines: Array<[name: string, engine: Engine]> = [
  ['MemoryStore', { open: async () => new MemoryStore() }],
  [
    'LmdbStore',
    {
      async open() {
        const dir = await mkdtemp(join(tmpdir(), 'ringkv-reclaim-'));
        const store = await LmdbStore.open(dir);
        dirs.set(store, dir);
        return store;
      },
      async reopen(store) {
        const dir = dirs.get(store)!;
        await store.close();
        const again = await LmdbStore.open(dir);
        dirs.set(again, dir);
        return again;
      },
    },
  ],
];

afterEach(async () => {
  const created = new Set(dirs.values());
  dirs.clear();
  await Promise.all([...created].map((dir) => rm(dir, { recursive: true, force: true })));
});

function retireAll(store: IndexedStore): number {
  let retired = 0;
  for (let bucket = 0; bucket < bucketCount; bucket++) retired += store.retireExpired(bucket);
  return retired;
}

function fetchFrom(service: RepairService): PeerRequester {
  return {
    request: async <T extends PeerRequest>(_to: string, request: T) => {
      if (request.type !== 'repair-fetch') throw new Error(`unexpected ${request.type}`);
      return service.serveFetch(request) as PeerReplyByRequest[T['type']];
    },
  };
}

describe.each(engines)('reclamation over %s', (_name, engine) => {
  const openStore = engine.open;
  it('refuses an expired tombstone for a key it does not hold, on every write path; takes it otherwise', async () => {
    const world = await World.create({ ids: ['a:1'], replicationFactor: 1, openStore });
    const store = world.store('a:1');
    world.settle();
    const expired = world.record(graceMs + 1, null);
    await store.put('held', world.record(graceMs * 2, '"old"'));
    expect(await store.put('new', expired)).toBe(false);
    expect(await store.delete('new', expired.version, expired.writer)).toBe(false);
    const batch = await store.putMany([
      { key: 'new', record: expired },
      { key: 'held', record: expired },
      { key: 'young', record: world.record(graceMs - 1, null) },
      { key: 'value', record: world.record(graceMs * 3, '"an old value still streams"') },
    ]);
    expect(batch).toEqual([false, true, true, true]);
    expect(store.get('new')).toBeUndefined();
    expect(store.get('held')).toEqual(expired);
    expect(store.reclamationStats.tombstonesRefused).toBe(3);
    expect(store.counts()).toMatchObject({ keys: 1, tombstones: 2 });
    await world.closeAll();
  });

  it('digests leave expired tombstones out, so a replica that collected one and one that did not agree', async () => {
    const world = await World.create({ ids: ['a:1', 'b:1'], replicationFactor: 2, openStore });
    const [a, b] = [world.store('a:1'), world.store('b:1')];
    for (let i = 0; i < 50; i++) {
      const record = i % 3 === 0 ? world.record(graceMs + 10, null) : world.record(10, `"${i}"`);
      await a.put(`key-${i}`, record);
      await b.put(`key-${i}`, record);
    }
    const digest = (store: IndexedStore) => new RepairService(store).root(wholeRing);
    expect(digest(a)).toBe(digest(b));
    world.settle(); // every tombstone is now expired
    for (let i = 0; i < 50; i += 3) await a.purge(`key-${i}`, a.get(`key-${i}`)!.version);
    expect(digest(a)).not.toBe(digest(b));
    expect(retireAll(b)).toBe(17);
    expect(retireAll(a)).toBe(0);
    expect(digest(a)).toBe(digest(b));
    // The maintained index equals one rebuilt from the store at the same time.
    expect(digest(new IndexedStore(b.inner, { clock: world.clock, graceMs }))).toBe(digest(b));
    // Anti-entropy from the replica that still holds them brings none of them back.
    const pulled = await pullRange(fetchFrom(new RepairService(b)), 'b:1', wholeRing, a, {
      timeoutMs: 1_000,
    });
    expect(pulled.keysReceived).toBe(50);
    expect(pulled.keysApplied).toBe(0);
    expect(a.counts().tombstones).toBe(0);
    expect(digest(a)).toBe(digest(b));
    await world.closeAll();
  });

  it('drops hints once their record is half a grace period old instead of delivering them', async () => {
    const world = await World.create({ ids: ['a:1'], replicationFactor: 1, openStore });
    const store = world.store('a:1');
    const fresh = { valueJson: '"fresh"', version: hlcFrom(world.sweepAtMs, 0), writer: 'a:1' };
    const stale = { valueJson: '"stale"', version: hlcFrom(world.sweepAtMs - graceMs / 2, 0), writer: 'a:1' };
    await store.putHint({ target: 'b:1', key: 'k1', record: stale });
    await store.putHint({ target: 'b:1', key: 'k2', record: fresh });
    world.settle();
    expect(store.hintsFor('b:1', 10).map((hint) => hint.key)).toEqual(['k2']);
    expect(store.reclamationStats.hintsExpired).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the delete of the dropped hint commits
    expect(store.hintCount()).toBe(1);
    await world.closeAll();
  });

  it('sweeps a ring change: moved keys leave the old owner, tombstones go, nothing else; kept across reopen', async () => {
    const ids = ['a:1', 'b:1', 'c:1'];
    const world = await World.create({ ids, replicationFactor: 2, openStore });
    const keys = Array.from({ length: 120 }, (_, i) => `key-${i}`);
    const deleted = new Set(keys.filter((_, i) => i % 4 === 0));
    for (const key of keys) {
      const record = deleted.has(key)
        ? world.record(graceMs * 2, null)
        : world.record(graceMs * 3, `"${key}"`);
      for (const id of world.replicasOf(key)) await world.store(id).put(key, record);
    }
    await world.addStore('d:1');
    world.ring = ringOf([...ids, 'd:1']);
    for (const key of keys) {
      const record = world.store(world.replicasOf(key).find((id) => id !== 'd:1')!).get(key);
      if (record && world.replicasOf(key).includes('d:1')) await world.store('d:1').put(key, record);
    }
    const a = world.store('a:1');
    const sweeper = world.sweeper('a:1');
    await world.sweep(sweeper);
    for (const key of keys) {
      const expected = deleted.has(key) || !world.replicasOf(key).includes('a:1') ? undefined : `"${key}"`;
      expect(a.get(key)?.valueJson, key).toBe(expected);
    }
    expect(sweeper.stats.recordsCleaned).toBeGreaterThan(5);
    expect(sweeper.stats.tombstonesCollected).toBeGreaterThan(5);
    const counts = a.counts();
    expect(counts.tombstones).toBe(0);
    const rebuilt = new IndexedStore(a.inner, { clock: world.clock, graceMs });
    expect(new RepairService(rebuilt).root(wholeRing)).toBe(new RepairService(a).root(wholeRing));
    if (engine.reopen) {
      // From disk: the records and counts the sweep left are what the store holds after a restart.
      const held = keys.map((key) => a.get(key));
      const reopened = await engine.reopen(a.inner);
      world.stores.set('a:1', new IndexedStore(reopened, { clock: world.clock, graceMs }));
      expect(keys.map((key) => reopened.get(key))).toEqual(held);
      expect(reopened.counts()).toEqual(counts);
    }
    await world.closeAll();
  });
});
