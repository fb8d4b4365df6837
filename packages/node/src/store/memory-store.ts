/**
 * The in-memory engine (`--memory`, the simulator). Records live in a Map for `get`, the keys also in a
 * sorted index by (token, key) for scans; counts are kept as writes apply. Writes are "durable" as soon as
 * they apply: nothing survives the process, which is what `--memory` promises.
 *
 * The Map holds each key's record itself, not an entry pointing to it: a read is one Map lookup and one
 * object, the hottest path of a node (a dependent load fewer per read than key -> entry -> record). The
 * index's (token, key) pairs are written when a key first appears and removed when it is purged; a
 * newer record for a key replaces the Map's value only, and a scan looks each indexed key up in the Map.
 *
 * The last key looked up or written is remembered with its record: a replica write looks its key up three
 * times in one call (its condition, the hash tree's "before", last-writer-wins), and in a Map of many keys
 * each lookup is a few cache misses: V8's Map lookup was the largest single function in a replica's `perf`
 * profile of writes (docs/PERFORMANCE.md, session 16). Every change to `records` goes through `apply` or
 * `purge`, which keep the pair true.
 *
 * Writers are node ids, a handful per cluster, yet each write parsed from a frame brings its own copy of
 * the id: stored records share one string per writer instead (`writerOf`). On a replica that is 30-40
 * bytes less per record, and writer comparisons that end at the pointer.
 */
import { limits } from '@ringkv/protocol';
import { keyToken } from '../core/hash.js';
import { compareRecords, type NodeId, type StoredRecord } from '../core/types.js';
import { MemoryHints } from './memory-hints.js';
import { scanSegments } from './scan-range.js';
import { SortedIndex } from './sorted-index.js';
import type { Hint, KeyedRecord, ScanOptions, Store, StoreCounts } from './store.js';
import {
  assertKey,
  assertRecord,
  recordBytes,
  ScanPage,
  type StoreOptions,
  scanLimitOf,
} from './store-common.js';

/** Writer ids shared (`writerOf`): every member a cluster can have, with room for ids of members gone. */
const writersMax = limits.clusterNodesMax * 4;

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly records = new Map<string, StoredRecord>();
  /** One string per writer id (see the file comment), bounded by `writersMax`. */
  private readonly writers = new Map<string, string>();
  /** The last key looked up or written, and its record then (undefined: none); see the file comment. */
  private lastKey: string | undefined;
  private lastRecord: StoredRecord | undefined;
  private readonly index = new SortedIndex();
  private readonly hints: MemoryHints;
  private readonly totals: StoreCounts = { keys: 0, tombstones: 0, bytes: 0 };
  private closed = false;

  constructor(options: StoreOptions = {}) {
    this.hints = new MemoryHints(options.hintsMax ?? limits.hintsMax);
  }

  get(key: string): StoredRecord | undefined {
    if (key === this.lastKey) return this.lastRecord;
    const record = this.records.get(key);
    this.lastKey = key;
    this.lastRecord = record;
    return record;
  }

  async put(key: string, record: StoredRecord): Promise<boolean> {
    return this.write(key, record);
  }

  /** Applied now, and durable as far as this engine promises (see the file comment): never a promise. */
  write(key: string, record: StoredRecord): boolean {
    return this.apply(key, record);
  }

  async putMany(entries: ReadonlyArray<{ key: string; record: StoredRecord }>): Promise<boolean[]> {
    return entries.map(({ key, record }) => this.apply(key, record));
  }

  async delete(key: string, version: number, writer: NodeId): Promise<boolean> {
    return this.apply(key, { valueJson: null, version, writer });
  }

  async purge(key: string, version: number): Promise<boolean> {
    this.assertOpen();
    const record = this.get(key);
    if (record === undefined || record.version !== version) return false;
    this.records.delete(key);
    this.lastRecord = undefined;
    this.index.remove(keyToken(key), key);
    this.account(key, record, -1);
    return true;
  }

  scan(options: ScanOptions): KeyedRecord[] {
    const page = new ScanPage(options);
    for (const segment of scanSegments(options)) {
      const position = this.index.seekAfter(segment.lower, segment.lowerKey);
      for (let entry = this.index.next(position); entry !== undefined; entry = this.index.next(position)) {
        if (entry.token > segment.upperInclusive) break;
        const record = this.records.get(entry.key)!;
        if (record.valueJson === null && !options.includeTombstones) continue;
        const full = page.add({
          key: entry.key,
          token: entry.token,
          valueJson: record.valueJson,
          version: record.version,
          writer: record.writer,
        });
        if (full) return page.records;
      }
    }
    return page.records;
  }

  counts(): StoreCounts {
    return { ...this.totals };
  }

  async putHint(hint: Hint): Promise<boolean> {
    this.assertOpen();
    assertRecord(hint.record);
    return this.hints.add(hint);
  }

  hintsFor(target: NodeId, limit: number): Array<Hint & { id: string }> {
    return this.hints.list(target, scanLimitOf(limit));
  }

  async deleteHint(id: string): Promise<void> {
    this.assertOpen();
    this.hints.remove(id);
  }

  hintCount(): number {
    return this.hints.count();
  }

  hintsDropped(): number {
    return this.hints.droppedCount();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Last-writer-wins: applies `record` only when it is newer than the held one. */
  private apply(key: string, record: StoredRecord): boolean {
    this.assertOpen();
    assertKey(key);
    assertRecord(record);
    const held = this.get(key);
    if (held !== undefined && compareRecords(record, held) <= 0) return false;
    // A frozen copy: callers can neither change a stored record nor be surprised by the store changing theirs.
    const stored = Object.freeze({
      valueJson: record.valueJson,
      version: record.version,
      writer: this.writerOf(record.writer),
    });
    this.records.set(key, stored);
    this.lastRecord = stored; // `get` just set lastKey to `key`
    if (held === undefined) this.index.insert(keyToken(key), key);
    else this.account(key, held, -1);
    this.account(key, stored, 1);
    return true;
  }

  /** The shared copy of `writer` (itself when first seen, or when `writersMax` ids are known already). */
  private writerOf(writer: string): string {
    const known = this.writers.get(writer);
    if (known !== undefined) return known;
    if (this.writers.size < writersMax) this.writers.set(writer, writer);
    return writer;
  }

  private account(key: string, record: StoredRecord, sign: 1 | -1): void {
    if (record.valueJson === null) {
      this.totals.tombstones += sign;
    } else {
      this.totals.keys += sign;
      this.totals.bytes += sign * recordBytes(key, record);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}
