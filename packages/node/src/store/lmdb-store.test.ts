import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LmdbStore } from './lmdb-store.js';
import type { Store } from './store.js';
import { describeStoreContract } from './store-contract.test-helper.js';

describeStoreContract('LmdbStore', () => {
  const dirs = new Map<Store, string>();
  const opened = new Set<Store>();
  const created: string[] = [];
  return {
    async open(options) {
      const dir = await mkdtemp(join(tmpdir(), 'ringkv-lmdb-'));
      created.push(dir);
      const store = await LmdbStore.open(dir, options);
      dirs.set(store, dir);
      opened.add(store);
      return store;
    },
    async reopen(store, options) {
      const dir = dirs.get(store)!;
      await store.close();
      opened.delete(store);
      const again = await LmdbStore.open(dir, options);
      dirs.set(again, dir);
      opened.add(again);
      return again;
    },
    async cleanup() {
      await Promise.all([...opened].map((store) => store.close()));
      opened.clear();
      await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
});

describe('LmdbStore', () => {
  const dirs: string[] = [];
  async function tempDir(name: string): Promise<string> {
    const parent = await mkdtemp(join(tmpdir(), 'ringkv-lmdb-'));
    dirs.push(parent);
    return join(parent, name);
  }
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('treats a directory name with a dot as a directory', async () => {
    const dir = await tempDir('node.data');
    const store = await LmdbStore.open(dir);
    await store.put('k', { valueJson: '"v"', version: 1, writer: 'n:1' });
    await store.close();
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await readdir(dir)).toContain('data.mdb');
  });

  it('keeps the last decided write when a put, a purge and a put of one key are all in flight', async () => {
    const dir = await tempDir('store');
    const store = await LmdbStore.open(dir);
    const first = { valueJson: '"first"', version: 1, writer: 'n:1' };
    const second = { valueJson: '"second"', version: 2, writer: 'n:1' };
    const writes = [
      store.put('k', first),
      store.purge('k', 1),
      store.put('k', second),
      store.put('k', first),
    ];
    expect(store.get('k')).toEqual(second);
    expect(await Promise.all(writes)).toEqual([true, true, true, false]);
    expect(store.get('k')).toEqual(second);
    expect(store.counts()).toEqual({ keys: 1, tombstones: 0, bytes: 1 + second.valueJson.length });
    await store.close();
    const reopened = await LmdbStore.open(dir);
    expect(reopened.get('k')).toEqual(second);
    expect(reopened.counts()).toEqual({ keys: 1, tombstones: 0, bytes: 1 + second.valueJson.length });
    await reopened.close();
  });

  it('fails stop after a write the engine could not commit', async () => {
    const store = await LmdbStore.open(await tempDir('store'));
    await store.put('before', { valueJson: '1', version: 1, writer: 'n:1' });
    // A disk-full error cannot be provoked portably: make the engine's next write reject as LMDB would.
    // biome-ignore lint/complexity/useLiteralKeys: bracket access reaches the private database on purpose.
    const records = store['records'];
    vi.spyOn(records, 'put').mockImplementationOnce(() => Promise.reject(new Error('MDB_MAP_FULL')));
    const failed = store.put('k', { valueJson: '1', version: 1, writer: 'n:1' });
    await expect(failed).rejects.toThrow('store write failed');
    await expect(failed).rejects.toMatchObject({ cause: { message: 'MDB_MAP_FULL' } });
    await expect(store.put('other', { valueJson: '1', version: 1, writer: 'n:1' })).rejects.toThrow(
      /accepts no more/,
    );
    await expect(
      store.putHint({ target: 'n:2', key: 'k', record: { valueJson: '1', version: 1, writer: 'n:1' } }),
    ).rejects.toThrow(/accepts no more/);
    expect(store.get('before')).toEqual({ valueJson: '1', version: 1, writer: 'n:1' });
    await store.close();
  });

  it('refuses writes after close', async () => {
    const store = await LmdbStore.open(await tempDir('store'));
    await store.close();
    await expect(store.put('k', { valueJson: '1', version: 1, writer: 'n:1' })).rejects.toThrow(/closed/);
  });
});
