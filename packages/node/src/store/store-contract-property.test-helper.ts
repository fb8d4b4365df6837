/** Store contract, as a property: any sequence of puts leaves per key the newest record (a model says which). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareRecords, type StoredRecord } from '../core/types.js';
import { type StoreHarness, scanAll } from './store-contract-fixtures.test-helper.js';

interface Write {
  key: string;
  valueJson: string | null;
  version: number;
  writer: string;
}

const writeArbitrary: fc.Arbitrary<Write> = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'é', '🙂'),
  valueJson: fc.option(
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    { nil: null },
  ),
  version: fc.integer({ min: 0, max: 8 }),
  writer: fc.constantFrom('n1:1', 'n2:2', 'n3:3'),
});

/** The reference model: per key, the greatest record by `compareRecords`. */
function model(writes: Write[]): Map<string, StoredRecord> {
  const winners = new Map<string, StoredRecord>();
  for (const { key, ...rest } of writes) {
    const held = winners.get(key);
    if (held === undefined || compareRecords(rest, held) > 0) winners.set(key, rest);
  }
  return winners;
}

export function describePropertyTests(harness: () => StoreHarness): void {
  it('holds, per key, the newest of any sequence of puts, even with all of them in flight at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArbitrary, { maxLength: 40 }),
        fc.boolean(),
        async (writes, concurrent) => {
          const store = await harness().open();
          try {
            const put = (w: Write) =>
              store.put(w.key, { valueJson: w.valueJson, version: w.version, writer: w.writer });
            if (concurrent) await Promise.all(writes.map(put));
            else for (const write of writes) await put(write);
            const winners = model(writes);
            for (const key of ['a', 'b', 'c', 'd', 'é', '🙂'])
              expect(store.get(key)).toEqual(winners.get(key));
            const scanned = scanAll(
              store,
              { startExclusive: 0, endInclusive: 0, includeTombstones: true },
              2,
            );
            expect(scanned.length).toBe(winners.size);
            const records = [...winners.values()];
            expect(store.counts()).toMatchObject({
              keys: records.filter((r) => r.valueJson !== null).length,
              tombstones: records.filter((r) => r.valueJson === null).length,
            });
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
}
