/**
 * In-process measure of MemoryStore heap bytes per key: 1,000,000 keys of 16 bytes (`key:` + 12 digits)
 * with 100-byte values, as bench:memory loads them, counted as V8 heap used after a full GC, less the
 * heap before. Excludes what RSS adds (heap headroom, the node's other structures).
 *   flock /tmp/ringkv-cpu.lock node --expose-gc --import tsx bench/micro/store-memory.ts
 */
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';

const keyCount = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const valueText = 'v'.repeat(98);
gc();
const before = process.memoryUsage().heapUsed;
const store = new MemoryStore();
const version = Date.now() * 4096;
for (let start = 0; start < keyCount; start += 1000) {
  const entries = Array.from({ length: 1000 }, (_, i) => ({
    key: `key:${String(start + i).padStart(12, '0')}`,
    // A fresh string per value, as each request's decoded value text is.
    record: {
      valueJson: JSON.stringify(`${valueText}${(start + i) % 10}`),
      version: version + i,
      writer: 'n:1',
    },
  }));
  await store.putMany(entries);
}
gc();
const after = process.memoryUsage().heapUsed;
console.log(
  `${keyCount} keys: heap used ${((after - before) / 2 ** 20).toFixed(1)} MiB, ${((after - before) / keyCount).toFixed(1)} bytes per key (counts ${JSON.stringify(store.counts())})`,
);
