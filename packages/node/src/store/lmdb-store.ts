/**
 * The persistent engine (`--data DIR`), over LMDB through the `lmdb` package.
 *
 * Durability: the environment is opened with `overlappingSync: false` and without `noSync`, so a write's
 * promise resolves only after its transaction committed and was fsynced. lmdb-js batches every write made
 * in one event turn into one transaction, so the fsync is paid per batch, not per record.
 *
 * Last-writer-wins with writes in flight: lmdb-js writes are asynchronous, so a second put to a key can
 * arrive before the first commits. Every write decides against `pending` (the newest record decided for a
 * key and not yet committed) before the database, and writes to one key commit in the order issued, so the
 * last committed write is the one decided newest. `get` consults `pending` too.
 *
 * Counts are kept in memory as writes are decided, saved with a `clean` mark by `close()`, and marked
 * unclean at open; after a crash (no clean mark) they are recomputed by one pass over the records.
 *
 * A failed write (disk full, I/O error) leaves memory and disk disagreeing, so the store fails stop: every
 * later write rejects, naming the first failure, until the process restarts.
 */
import { mkdir } from 'node:fs/promises';
import { limits } from '@ringkv/protocol';
import { type Database, open, type RootDatabase } from 'lmdb';
import { keyToken } from '../core/hash.js';
import { compareRecords, type NodeId, type StoredRecord } from '../core/types.js';
import { LmdbHints } from './lmdb-hints.js';
import {
  decodeKeyedRecord,
  decodeRecord,
  encodeRecord,
  isTombstoneBuffer,
  type RecordSummary,
  recordKey,
  recordKeyAfter,
  summarizeRecord,
  tokenKey,
  valueBytesOf,
} from './record-codec.js';
import { type ScanSegment, scanSegments, tokenMax } from './scan-range.js';
import type { Hint, KeyedRecord, ScanOptions, Store, StoreCounts } from './store.js';
import { assertKey, assertRecord, ScanPage, type StoreOptions, scanLimitOf } from './store-common.js';

type BinaryDatabase = Database<Buffer, Buffer>;
interface SavedCounts extends StoreCounts {
  clean: boolean;
}
/** A decided, uncommitted write: the record, or null for a purge. */
interface PendingWrite {
  record: StoredRecord | null;
  valueBytes: number;
}

const countsKey = 'counts';

export class LmdbStore implements Store {
  readonly kind = 'lmdb' as const;
  private readonly pending = new Map<string, PendingWrite>();
  private readonly hints: LmdbHints;
  private closed = false;
  private failure: unknown;

  private constructor(
    private readonly root: RootDatabase,
    private readonly records: BinaryDatabase,
    private readonly meta: Database<SavedCounts, string>,
    hintsDb: BinaryDatabase,
    private readonly totals: StoreCounts,
    options: StoreOptions,
  ) {
    this.hints = new LmdbHints(hintsDb, options.hintsMax ?? limits.hintsMax, (write) => this.track(write));
  }

  /** Opens (creating if needed) the store in directory `dir`. */
  static async open(dir: string, options: StoreOptions = {}): Promise<LmdbStore> {
    await mkdir(dir, { recursive: true });
    // noSubdir: false, so a directory name with a dot is not mistaken for a file name.
    const root = open({ path: dir, noSubdir: false, maxDbs: 4, overlappingSync: false, noSync: false });
    const records = root.openDB<Buffer, Buffer>({
      name: 'records',
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    const hints = root.openDB<Buffer, Buffer>({ name: 'hints', keyEncoding: 'binary', encoding: 'binary' });
    const meta = root.openDB<SavedCounts, string>({ name: 'meta' });
    const saved = meta.get(countsKey);
    const totals = saved?.clean
      ? { keys: saved.keys, tombstones: saved.tombstones, bytes: saved.bytes }
      : recount(records);
    // Until close() saves them again, the saved counts may fall behind the records: mark them unclean first.
    await meta.put(countsKey, { ...totals, clean: false });
    return new LmdbStore(root, records, meta, hints, totals, options);
  }

  get(key: string): StoredRecord | undefined {
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending.record ?? undefined;
    const buffer = this.records.getBinaryFast(recordKey(keyToken(key), key));
    return buffer === undefined ? undefined : decodeRecord(buffer);
  }

  async put(key: string, record: StoredRecord): Promise<boolean> {
    return this.write(key, record);
  }

  write(key: string, record: StoredRecord): boolean | Promise<boolean> {
    return this.apply(key, record) ?? false;
  }

  async putMany(entries: ReadonlyArray<{ key: string; record: StoredRecord }>): Promise<boolean[]> {
    // Decided one by one in order, issued in one event turn: lmdb-js commits them in one transaction.
    const writes = entries.map(({ key, record }) => this.apply(key, record));
    return Promise.all(writes.map(async (write) => (await write) ?? false));
  }

  async delete(key: string, version: number, writer: NodeId): Promise<boolean> {
    return this.put(key, { valueJson: null, version, writer });
  }

  async purge(key: string, version: number): Promise<boolean> {
    this.assertWritable();
    const dbKey = recordKey(keyToken(key), key);
    const held = this.summary(key, dbKey);
    if (held === undefined || held.version !== version) return false;
    this.account(dbKey.length - 4, held, -1);
    const write: PendingWrite = { record: null, valueBytes: 0 };
    this.pending.set(key, write);
    await this.track(this.records.remove(dbKey));
    if (this.pending.get(key) === write) this.pending.delete(key);
    return true;
  }

  scan(options: ScanOptions): KeyedRecord[] {
    const page = new ScanPage(options);
    for (const segment of scanSegments(options)) {
      const range = segmentRange(segment);
      if (range === undefined) continue;
      for (const { key, value } of this.records.getRange(range)) {
        if (!options.includeTombstones && isTombstoneBuffer(value)) continue;
        if (page.add(decodeKeyedRecord(key, value))) return page.records;
      }
    }
    return page.records;
  }

  counts(): StoreCounts {
    return { ...this.totals };
  }

  async putHint(hint: Hint): Promise<boolean> {
    this.assertWritable();
    assertRecord(hint.record);
    return this.hints.add(hint);
  }

  hintsFor(target: NodeId, limit: number): Array<Hint & { id: string }> {
    return this.hints.list(target, scanLimitOf(limit));
  }

  async deleteHint(id: string): Promise<void> {
    this.assertWritable();
    await this.hints.remove(id);
  }

  hintCount(): number {
    return this.hints.count();
  }

  hintsDropped(): number {
    return this.hints.droppedCount();
  }

  /** Waits for writes in flight, saves the counts marked clean, and closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.committed;
    if (this.failure === undefined) await this.meta.put(countsKey, { ...this.totals, clean: true });
    await this.root.close();
  }

  /** Decides `record` against the newest held or pending one; resolves once durable, undefined if not newer. */
  private apply(key: string, record: StoredRecord): Promise<boolean> | undefined {
    this.assertWritable();
    assertKey(key);
    assertRecord(record);
    const dbKey = recordKey(keyToken(key), key);
    const held = this.summary(key, dbKey);
    if (held !== undefined && compareRecords(record, held) <= 0) return undefined;
    const stored = Object.freeze({
      valueJson: record.valueJson,
      version: record.version,
      writer: record.writer,
    });
    const encoded = encodeRecord(stored);
    const write: PendingWrite = { record: stored, valueBytes: valueBytesOf(encoded) };
    const keyBytes = dbKey.length - 4;
    if (held !== undefined) this.account(keyBytes, held, -1);
    this.account(
      keyBytes,
      { ...stored, isTombstone: stored.valueJson === null, valueBytes: write.valueBytes },
      1,
    );
    this.pending.set(key, write);
    return this.records.put(dbKey, encoded).then(
      () => {
        if (this.pending.get(key) === write) this.pending.delete(key);
        return true;
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** The newest record decided for `key`: pending if any, else committed. */
  private summary(key: string, dbKey: Buffer): RecordSummary | undefined {
    const pending = this.pending.get(key);
    if (pending !== undefined) {
      const { record } = pending;
      if (record === null) return undefined;
      return { ...record, isTombstone: record.valueJson === null, valueBytes: pending.valueBytes };
    }
    const buffer = this.records.getBinaryFast(dbKey);
    return buffer === undefined ? undefined : summarizeRecord(buffer);
  }

  private account(keyBytes: number, summary: RecordSummary, sign: 1 | -1): void {
    if (summary.isTombstone) {
      this.totals.tombstones += sign;
    } else {
      this.totals.keys += sign;
      this.totals.bytes += sign * (keyBytes + summary.valueBytes);
    }
  }

  /** Fail-stop: the first failed write poisons the store (see the file comment). */
  private track<T>(write: Promise<T>): Promise<T> {
    return write.catch((error: unknown) => this.fail(error));
  }

  private fail(error: unknown): never {
    this.failure ??= error;
    throw new Error('store write failed', { cause: error });
  }

  private assertWritable(): void {
    if (this.closed) throw new Error('store is closed');
    if (this.failure !== undefined) {
      throw new Error('store failed an earlier write and accepts no more; restart the node', {
        cause: this.failure,
      });
    }
  }
}

/** An LMDB range (start inclusive, end exclusive) for a segment of tokens; undefined when empty. */
function segmentRange(segment: ScanSegment): { start: Buffer; end?: Buffer } | undefined {
  let start: Buffer;
  if (segment.lowerKey !== undefined) start = recordKeyAfter(segment.lower, segment.lowerKey);
  else if (segment.lower >= tokenMax) return undefined;
  else start = tokenKey(segment.lower + 1);
  if (segment.upperInclusive >= tokenMax) return { start };
  return { start, end: tokenKey(segment.upperInclusive + 1) };
}

/** Counts recomputed from the records, after a crash left the saved ones unclean. */
function recount(records: BinaryDatabase): StoreCounts {
  const totals: StoreCounts = { keys: 0, tombstones: 0, bytes: 0 };
  for (const { key, value } of records.getRange()) {
    const summary = summarizeRecord(value);
    if (summary.isTombstone) totals.tombstones++;
    else {
      totals.keys++;
      totals.bytes += key.length - 4 + summary.valueBytes;
    }
  }
  return totals;
}
