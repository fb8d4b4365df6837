/**
 * The storage contract every engine meets. Records are versioned (see core/types.ts); a write is applied
 * only when it is newer than what is held (last-writer-wins), so replicas can receive the same write twice,
 * or out of order, and converge.
 *
 * Ordering contract (as etcd's raft README states next to its types): a promise from `put`, `putMany` or
 * `putHint` resolves only once the write is durable (for the persistent engine: committed to disk), and a
 * node acknowledges a write to a coordinator or client only after it resolves.
 *
 * `get` is synchronous: both engines answer reads from memory-mapped or in-process data, and the hot read
 * path stays free of promise allocation. A `get` after a `put` has resolved sees that put. A `get` (or a
 * later `put`'s last-writer-wins check) made while a put is still in flight already sees it too, so
 * several writes to one key in flight at once still leave the newest; a `scan` sees committed data only.
 *
 * Scans return records in ring order: by token, then by key in code point order (the order of the keys'
 * UTF-8 bytes), the same in both engines.
 *
 * Writes reject, never drop silently, once the store is closed or (persistent engine) after a write failed
 * to commit: the store then fails stop until the process restarts. Inputs are validated at the edges, so a
 * key outside 1 to 1024 UTF-8 bytes or a version that is not a non-negative safe integer is a bug upstream
 * and fails an assertion.
 */
import type { NodeId, StoredRecord } from '../core/types.js';

export interface KeyedRecord extends StoredRecord {
  key: string;
  /** The key's ring token (murmur3 of its UTF-8 bytes), the order in which scans return records. */
  token: number;
}

export interface ScanOptions {
  /** Scan tokens in (startExclusive, endInclusive]; when start >= end the range wraps past 2^32 - 1. */
  startExclusive: number;
  endInclusive: number;
  /** Resume after this record (token and key), as returned last by the previous page. */
  after?: { token: number; key: string };
  /** At most this many records per page (a positive integer; capped at `limits.storeScanRecordsMax`). */
  limit: number;
  /** Include tombstones (streaming and anti-entropy need them; counting does not). */
  includeTombstones?: boolean;
  /**
   * End the page once its keys and values reach this many UTF-8 bytes (the record that crosses the bound
   * is included, so a page always makes progress). Unset: bounded by `limit` only.
   */
  bytesMax?: number;
}

export interface StoreCounts {
  /** Live records (not tombstones). */
  keys: number;
  tombstones: number;
  /** Bytes of keys and values of live records. */
  bytes: number;
}

/** A write kept for a replica that did not answer, delivered when it returns (hinted handoff). */
export interface Hint {
  target: NodeId;
  key: string;
  record: StoredRecord;
}

export interface Store {
  readonly kind: 'memory' | 'lmdb';
  get(key: string): StoredRecord | undefined;
  /** Applies `record` if it is newer than the held one; resolves to whether it was applied, once durable. */
  put(key: string, record: StoredRecord): Promise<boolean>;
  /**
   * `put`, answered as soon as the answer is known, for the write path's hot loops: `false` when `record`
   * is not newer than the held one (nothing changed), `true` when it applied and is durable already (the
   * memory engine), or, when it applied and durability is still to come (the persistent engine), a promise
   * that resolves to `true` once it is, or rejects. Last-writer-wins is decided in the call either way: a
   * `get` right after it sees the write. Throws what `put` would reject with (a bad record, a failed store).
   */
  write(key: string, record: StoredRecord): boolean | Promise<boolean>;
  /** `put` for many records in one durable batch (one commit for the persistent engine). */
  putMany(entries: ReadonlyArray<{ key: string; record: StoredRecord }>): Promise<boolean[]>;
  /** Writes a tombstone with this version (a `put` whose value is null). */
  delete(key: string, version: number, writer: NodeId): Promise<boolean>;
  /** Removes a record outright, only if it still has exactly this version (tombstone collection, hand-off). */
  purge(key: string, version: number): Promise<boolean>;
  /** One page of records in token order. */
  scan(options: ScanOptions): KeyedRecord[];
  counts(): StoreCounts;
  /**
   * Keeps a hint durably; resolves to false, without storing, when `hintsMax` hints are held already
   * (the drop is counted in `hintsDropped`).
   */
  putHint(hint: Hint): Promise<boolean>;
  /** Up to `limit` hints for `target`, oldest first. */
  hintsFor(target: NodeId, limit: number): Array<Hint & { id: string }>;
  deleteHint(id: string): Promise<void>;
  hintCount(): number;
  /** Hints refused because the store held `hintsMax` already, since it was opened. */
  hintsDropped(): number;
  close(): Promise<void>;
}
