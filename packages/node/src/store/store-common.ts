/** Pieces both engines share: options, input assertions, the page bound, byte accounting. */
import { limits } from '@ringkv/protocol';
import { assert, type StoredRecord } from '../core/types.js';

export interface StoreOptions {
  /** Hints held at most; further hints are dropped and counted. Defaults to `limits.hintsMax`. */
  hintsMax?: number;
}

/**
 * Records reach the store from validated edges (client API, peer decoders); a malformed one here is a bug
 * upstream, so it fails loudly rather than being stored.
 */
export function assertRecord(record: StoredRecord): void {
  assert(
    Number.isSafeInteger(record.version) && record.version >= 0,
    `record version must be a non-negative safe integer, got ${record.version}`,
  );
  assert(typeof record.writer === 'string', 'record writer must be a string');
  assert(
    record.valueJson === null || typeof record.valueJson === 'string',
    'record valueJson must be text or null',
  );
}

/** Keys reach the store validated (SPEC section 2: 1 to 1024 UTF-8 bytes); LMDB could not hold much longer. */
export function assertKey(key: string): void {
  assert(typeof key === 'string', 'key must be a string');
  const bytes = Buffer.byteLength(key, 'utf8');
  assert(
    bytes >= limits.keyBytesMin && bytes <= limits.keyBytesMax,
    `key must be ${limits.keyBytesMin} to ${limits.keyBytesMax} UTF-8 bytes, got ${bytes}`,
  );
}

/** A page holds at least one and at most `limits.storeScanRecordsMax` records, whatever the caller asks. */
export function scanLimitOf(limit: number): number {
  assert(Number.isInteger(limit) && limit > 0, `scan limit must be a positive integer, got ${limit}`);
  return Math.min(limit, limits.storeScanRecordsMax);
}

/** What a live record adds to `StoreCounts.bytes`: the UTF-8 bytes of its key and value. */
export function recordBytes(key: string, record: StoredRecord): number {
  return (
    Buffer.byteLength(key, 'utf8') +
    (record.valueJson === null ? 0 : Buffer.byteLength(record.valueJson, 'utf8'))
  );
}
