/**
 * The one test suite every engine passes (run from memory-store.test.ts and lmdb-store.test.ts). It states
 * the `Store` contract: last-writer-wins apply, purge, scans in ring order with wrap-around and resumable
 * pages, counts, hints, the size limits of SPEC section 2, and (for engines that persist) reopening.
 */
import { afterEach, describe } from 'vitest';
import type { StoreHarness } from './store-contract-fixtures.test-helper.js';
import { describePropertyTests } from './store-contract-property.test-helper.js';
import { describeRecordTests, describeReopenTests } from './store-contract-records.test-helper.js';
import { describeHintTests, describeScanTests } from './store-contract-scan.test-helper.js';

export type { StoreHarness } from './store-contract-fixtures.test-helper.js';

export function describeStoreContract(engine: string, makeHarness: () => StoreHarness): void {
  describe(`Store contract: ${engine}`, () => {
    let harness = makeHarness();
    afterEach(async () => {
      await harness.cleanup();
      harness = makeHarness();
    });

    describeRecordTests(() => harness);
    if (makeHarness().reopen !== undefined) describeReopenTests(() => harness);
    describeScanTests(() => harness);
    describeHintTests(() => harness);
    describePropertyTests(() => harness);
  });
}
