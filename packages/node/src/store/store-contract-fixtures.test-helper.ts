/** Shared pieces of the Store contract suite (see store-contract.test-helper.ts). */

import type { StoredRecord } from '../core/types.js';
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

export const value = (text: string) => JSON.stringify(text);
export const record = (valueJson: string | null, version: number, writer = 'n1:1'): StoredRecord => ({
  valueJson,
  version,
  writer,
});

/** Two keys with the same murmur3 token, to pin down the order within one token. */
export const collidingKeys = ['k15599', 'k97211'] as const;

export function ringOrder(a: { token: number; key: string }, b: { token: number; key: string }): number {
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
