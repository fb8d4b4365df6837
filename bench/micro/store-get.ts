/**
 * In-process micro-benchmark of MemoryStore.get on 100,000 keys (the bench's key count and shapes): keys
 * come fresh from JSON.parse, as a request's key does, in random order; each lookup reads the record's
 * value and version as a reply does. Allocates a little garbage per lookup, as the node does.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/store-get.ts
 */
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';

const keyCount = 100_000;
const lookups = 1_000_000;
const keyOf = (i: number) => `key:${String(i).padStart(12, '0')}`;
const store = new MemoryStore();
const valueJson = JSON.stringify('x'.repeat(98));
await store.putMany(
  Array.from({ length: keyCount }, (_, i) => ({
    key: keyOf(i),
    record: { valueJson, version: Date.now() * 4096 + i, writer: 'n:1' },
  })),
);
// 10,000 batches of fresh key strings, as JSON.parse of a request frame makes them.
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed;
};
const batches = Array.from(
  { length: 100 },
  () =>
    JSON.parse(JSON.stringify(Array.from({ length: 1000 }, () => keyOf(random() % keyCount)))) as string[],
);

function run(): number {
  let sink = 0;
  for (let i = 0; i < lookups; i++) {
    const record = store.get(batches[((i / 1000) % 100) | 0]![i % 1000]!);
    if (record !== undefined) sink += record.valueJson!.length + (record.version & 1);
  }
  return sink;
}

for (let pass = 1; pass <= 3; pass++) {
  const started = process.hrtime.bigint();
  const sink = run();
  const nsPerGet = Number(process.hrtime.bigint() - started) / lookups;
  console.log(`pass ${pass}: ${nsPerGet.toFixed(1)} ns per get (sink ${sink % 7})`);
}
