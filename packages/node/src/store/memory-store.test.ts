import { describe, expect, it } from 'vitest';
import { keyToken } from '../core/hash.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';
import { describeStoreContract } from './store-contract.test-helper.js';

describeStoreContract('MemoryStore', () => {
  const opened: Store[] = [];
  return {
    async open(options) {
      const store = new MemoryStore(options);
      opened.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
});

describe('MemoryStore at scale', () => {
  it('streams 100,000 records in pages of 1000, each once, in ring order', async () => {
    const store = new MemoryStore();
    const total = 100_000;
    await store.putMany(
      Array.from({ length: total }, (_, i) => ({
        key: `key-${i}`,
        record: { valueJson: '1', version: 1, writer: 'n:1' },
      })),
    );
    // start === end === 2^32 - 1: the whole ring, read from token 0 upwards.
    const range = { startExclusive: 0xffff_ffff, endInclusive: 0xffff_ffff, limit: 1000 };
    const seen = new Set<string>();
    let previousToken = -1;
    let outOfOrder = 0;
    let after: { token: number; key: string } | undefined;
    for (let pages = 0; pages <= total / 1000; pages++) {
      const page = store.scan({ ...range, ...(after ? { after } : {}) });
      for (const record of page) {
        if (record.token < previousToken || record.token !== keyToken(record.key)) outOfOrder++;
        previousToken = record.token;
        seen.add(record.key);
      }
      const last = page[page.length - 1];
      if (last === undefined) break;
      after = { token: last.token, key: last.key };
    }
    expect(outOfOrder).toBe(0);
    expect(seen.size).toBe(total);
    expect(store.counts()).toMatchObject({ keys: total, tombstones: 0 });
  });
});
