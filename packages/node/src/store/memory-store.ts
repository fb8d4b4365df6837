/**
 * The in-memory engine (`--memory`, the simulator). Records live in a Map for `get` and in a sorted index
 * by (token, key) for scans; counts are kept as writes apply. Writes are "durable" as soon as they apply:
 * nothing survives the process, which is what `--memory` promises.
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

interface Entry {
  key: string;
  token: number;
  record: StoredRecord;
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly index = new SortedIndex<Entry>();
  private readonly hints: MemoryHints;
  private readonly totals: StoreCounts = { keys: 0, tombstones: 0, bytes: 0 };
  private closed = false;

  constructor(options: StoreOptions = {}) {
    this.hints = new MemoryHints(options.hintsMax ?? limits.hintsMax);
  }

  get(key: string): StoredRecord | undefined {
    return this.entries.get(key)?.record;
  }

  async put(key: string, record: StoredRecord): Promise<boolean> {
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
    const entry = this.entries.get(key);
    if (entry === undefined || entry.record.version !== version) return false;
    this.entries.delete(key);
    this.index.remove(entry.token, key);
    this.account(key, entry.record, -1);
    return true;
  }

  scan(options: ScanOptions): KeyedRecord[] {
    const page = new ScanPage(options);
    for (const segment of scanSegments(options)) {
      const position = this.index.seekAfter(segment.lower, segment.lowerKey);
      for (let entry = this.index.next(position); entry !== undefined; entry = this.index.next(position)) {
        if (entry.token > segment.upperInclusive) break;
        const { record } = entry;
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
    const held = this.entries.get(key);
    if (held !== undefined && compareRecords(record, held.record) <= 0) return false;
    // A frozen copy: callers can neither change a stored record nor be surprised by the store changing theirs.
    const stored = Object.freeze({
      valueJson: record.valueJson,
      version: record.version,
      writer: record.writer,
    });
    if (held === undefined) {
      const entry = { key, token: keyToken(key), record: stored };
      this.entries.set(key, entry);
      this.index.insert(entry);
    } else {
      this.account(key, held.record, -1);
      held.record = stored;
    }
    this.account(key, stored, 1);
    return true;
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
