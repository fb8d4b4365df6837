/**
 * Store contract, as properties: any sequence of puts (and purges) leaves, per key, what a reference model
 * says, and each call reports what the model says it did, whether the calls are awaited one by one or all
 * issued at once (several writes to one key in flight).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareRecords, type StoredRecord } from '../core/types.js';
import type { Store } from './store.js';
import { recordBytes } from './store-common.js';
import { type StoreHarness, scanAll } from './store-contract-fixtures.test-helper.js';

const keys = ['a', 'b', 'c', 'd', 'é', '🙂'];

type Operation =
  | { kind: 'put'; key: string; record: StoredRecord }
  | { kind: 'purge'; key: string; version: number };

const recordArbitrary: fc.Arbitrary<StoredRecord> = fc.record({
  valueJson: fc.option(
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    { nil: null },
  ),
  version: fc.integer({ min: 0, max: 8 }),
  writer: fc.constantFrom('n1:1', 'n2:2', 'n3:3'),
});

const putArbitrary: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constant('put' as const),
  key: fc.constantFrom(...keys),
  record: recordArbitrary,
});

const purgeArbitrary: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constant('purge' as const),
  key: fc.constantFrom(...keys),
  version: fc.integer({ min: 0, max: 8 }),
});

/** The reference model: last-writer-wins by `compareRecords`; purge removes only the exact version. */
function model(operations: Operation[]): { held: Map<string, StoredRecord>; results: boolean[] } {
  const held = new Map<string, StoredRecord>();
  const results = operations.map((operation) => {
    const current = held.get(operation.key);
    if (operation.kind === 'purge') {
      if (current === undefined || current.version !== operation.version) return false;
      held.delete(operation.key);
      return true;
    }
    if (current !== undefined && compareRecords(operation.record, current) <= 0) return false;
    held.set(operation.key, operation.record);
    return true;
  });
  return { held, results };
}

function run(store: Store, operation: Operation): Promise<boolean> {
  return operation.kind === 'put'
    ? store.put(operation.key, operation.record)
    : store.purge(operation.key, operation.version);
}

async function checkAgainstModel(store: Store, operations: Operation[], concurrent: boolean): Promise<void> {
  const results: boolean[] = [];
  if (concurrent) results.push(...(await Promise.all(operations.map((operation) => run(store, operation)))));
  else for (const operation of operations) results.push(await run(store, operation));
  const expected = model(operations);
  expect(results).toEqual(expected.results);
  for (const key of keys) expect(store.get(key)).toEqual(expected.held.get(key));
  const scanned = scanAll(store, { startExclusive: 0, endInclusive: 0, includeTombstones: true }, 2);
  expect(
    new Map(scanned.map(({ key, valueJson, version, writer }) => [key, { valueJson, version, writer }])),
  ).toEqual(expected.held);
  const live = [...expected.held].filter(([, record]) => record.valueJson !== null);
  expect(store.counts()).toEqual({
    keys: live.length,
    tombstones: expected.held.size - live.length,
    bytes: live.reduce((sum, [key, record]) => sum + recordBytes(key, record), 0),
  });
}

export function describePropertyTests(harness: () => StoreHarness): void {
  it('holds, per key, the newest of any sequence of puts, even with all of them in flight at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(putArbitrary, { maxLength: 40 }),
        fc.boolean(),
        async (operations, concurrent) => {
          const store = await harness().open();
          try {
            await checkAgainstModel(store, operations, concurrent);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('agrees with the model on any mix of puts and purges, awaited or all in flight', async () => {
    const operationsArbitrary = fc.array(fc.oneof({ weight: 3, arbitrary: putArbitrary }, purgeArbitrary), {
      maxLength: 40,
    });
    await fc.assert(
      fc.asyncProperty(operationsArbitrary, fc.boolean(), async (operations, concurrent) => {
        const store = await harness().open();
        try {
          await checkAgainstModel(store, operations, concurrent);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
}
