import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, storeDirOf } from './index.js';

describe('openStore', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('opens the memory engine for { memory: true }', async () => {
    const store = await openStore({ memory: true });
    expect(store.kind).toBe('memory');
    await store.close();
  });

  it('opens the LMDB engine in DIR/store for { dataDir }, and finds its data again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ringkv-open-'));
    dirs.push(dataDir);
    const store = await openStore({ dataDir, hintsMax: 5 });
    expect(store.kind).toBe('lmdb');
    await store.put('k', { valueJson: '1', version: 1, writer: 'n:1' });
    await store.close();
    expect((await readdir(storeDirOf(dataDir))).length).toBeGreaterThan(0);
    const again = await openStore({ dataDir });
    expect(again.get('k')).toEqual({ valueJson: '1', version: 1, writer: 'n:1' });
    await again.close();
  });
});
