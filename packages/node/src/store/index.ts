/**
 * The store's public face for the composition root: `openStore` picks the engine from the node's flags
 * (`--memory` or `--data DIR`). The persistent engine keeps its files in `DIR/store`, leaving the rest of
 * the data directory to other parts of the node.
 */
import { join } from 'node:path';
import { LmdbStore } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';
import type { StoreOptions } from './store-common.js';

export type { Hint, KeyedRecord, ScanOptions, Store, StoreCounts } from './store.js';
export type { StoreOptions } from './store-common.js';
export { LmdbStore, MemoryStore };

export type OpenStoreOptions = ({ memory: true } | { dataDir: string }) & StoreOptions;

/** The directory under `dataDir` that holds the persistent engine's files. */
export function storeDirOf(dataDir: string): string {
  return join(dataDir, 'store');
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { hintsMax } = options;
  const storeOptions: StoreOptions = hintsMax === undefined ? {} : { hintsMax };
  if ('memory' in options) return new MemoryStore(storeOptions);
  return LmdbStore.open(storeDirOf(options.dataDir), storeOptions);
}
