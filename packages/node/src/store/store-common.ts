/** Pieces both engines share: options, input assertions, the page bound, byte accounting. */
import { limits } from '@ringkv/protocol';
import { assert, type StoredRecord } from '../core/types.js';
import type { KeyedRecord, ScanOptions, Store } from './store.js';

export interface StoreOptions {
  /** Hints held at most; further hints are dropped and counted. Defaults to `limits.hintsMax`. */
  hintsMax?: number;
}

/**
 * Records reach the store from validated edges (client API, peer decoders); a malformed one here is a bug
 * upstream, so it fails loudly rather than being stored. Every write passes here: the messages are built
 * only on failure (printing a 53-bit version costs more than the checks themselves).
 */
export function assertRecord(record: StoredRecord): void {
  if (!(Number.isSafeInteger(record.version) && record.version >= 0)) {
    assert(false, `record version must be a non-negative safe integer, got ${record.version}`);
  }
  if (typeof record.writer !== 'string') assert(false, 'record writer must be a string');
  if (record.valueJson !== null && typeof record.valueJson !== 'string') {
    assert(false, 'record valueJson must be text or null');
  }
}

/** A key of this many UTF-16 units or fewer is at most limits.keyBytesMax UTF-8 bytes (3 bytes a unit at most). */
const keyUnitsCountlessMax = Math.floor(limits.keyBytesMax / 3);

/** Keys reach the store validated (SPEC section 2: 1 to 1024 UTF-8 bytes); LMDB could not hold much longer. */
export function assertKey(key: string): void {
  if (typeof key !== 'string') assert(false, 'key must be a string');
  // Short keys cannot break the limit: their bytes are counted only when they might.
  if (key.length >= limits.keyBytesMin && key.length <= keyUnitsCountlessMax) return;
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes < limits.keyBytesMin || bytes > limits.keyBytesMax) {
    assert(false, `key must be ${limits.keyBytesMin} to ${limits.keyBytesMax} UTF-8 bytes, got ${bytes}`);
  }
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

/**
 * One page of a scan, bounded by record count (`scanLimitOf`) and, when asked, by bytes: both engines fill
 * it the same way, so a page ends at the same record whichever engine serves it.
 */
export class ScanPage {
  readonly records: KeyedRecord[] = [];
  private readonly limit: number;
  private readonly bytesMax: number | undefined;
  private bytes = 0;

  constructor(options: Pick<ScanOptions, 'limit' | 'bytesMax'>) {
    this.limit = scanLimitOf(options.limit);
    this.bytesMax = options.bytesMax;
  }

  /** Adds a record; true when the page is full and the scan should stop. */
  add(record: KeyedRecord): boolean {
    this.records.push(record);
    if (this.records.length >= this.limit) return true;
    if (this.bytesMax === undefined) return false;
    this.bytes += recordBytes(record.key, record);
    return this.bytes >= this.bytesMax;
  }
}

/**
 * Every record in `range` (tombstones included), page by page (`storeScanRecordsMax` each), lazily: for
 * rebuilding and digesting, where the caller consumes all of a range without holding it in memory.
 */
export function* scanEvery(
  store: Pick<Store, 'scan'>,
  range: { startExclusive: number; endInclusive: number },
): Generator<KeyedRecord> {
  let after: { token: number; key: string } | undefined;
  for (;;) {
    const page = store.scan({
      ...range,
      limit: limits.storeScanRecordsMax,
      includeTombstones: true,
      ...(after ? { after } : {}),
    });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < limits.storeScanRecordsMax) return;
    after = { token: last.token, key: last.key };
  }
}
