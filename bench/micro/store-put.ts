/**
 * In-process micro-benchmark of a write reaching the store as a node's coordinator applies it: IndexedStore
 * (the Merkle index kept in step) over a MemoryStore holding 100,000 keys, updates of random keys with a
 * newer record each, 100-byte values, keys fresh from JSON.parse as a request's are.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/store-put.ts
 */
import { IndexedStore } from '../../packages/node/src/core/indexed-store.js';
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';

const keyCount = 100_000;
const puts = 500_000;
const writer = '127.0.0.1:25599';
const store = new IndexedStore(new MemoryStore());
let version = Date.now() * 4096;
for (let index = 0; index < keyCount; index++) {
  await store.put(keyAt(index), { valueJson: jsonValueText, version: ++version, writer });
}
const random = seededRandom(5);
const keys = JSON.parse(
  JSON.stringify(Array.from({ length: 10_000 }, () => keyAt(Math.floor(random() * keyCount)))),
) as string[];

for (let pass = 1; pass <= 5; pass++) {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let applied = 0;
  for (let index = 0; index < puts; index++) {
    // Each put resolves at once (the memory engine); its promise is left to the next microtask checkpoint.
    store
      .put(keys[index % keys.length]!, { valueJson: jsonValueText, version: ++version, writer })
      .then((ok) => {
        if (ok) applied++;
      });
    if (index % 1000 === 999) await Promise.resolve();
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedNs = Number(process.hrtime.bigint() - started);
  if (applied !== puts) throw new Error(`${applied} of ${puts} puts applied`);
  console.log(
    `pass ${pass}: ${(((cpu.user + cpu.system) * 1000) / puts).toFixed(0)} ns of CPU per put ` +
      `(${(elapsedNs / puts).toFixed(0)} elapsed)`,
  );
}
