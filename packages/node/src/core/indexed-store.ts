/**
 * A Store that keeps a `MerkleIndex` in step with every record it applies, whoever applies it (the
 * coordinator's local write, a replica write, a hint, a read repair, anti-entropy or rebalance streaming).
 * Both engines decide last-writer-wins synchronously when a write is issued (a `get` right after `put` sees
 * it), so comparing the record before and after the call tells whether the write applied, and the index is
 * updated in the same turn, before any other write to the key can be decided.
 */
import { limits } from '@ringkv/protocol';
import type { Hint, KeyedRecord, ScanOptions, Store, StoreCounts } from '../store/store.js';
import { keyToken } from './hash.js';
import { MerkleIndex } from './merkle.js';
import type { NodeId, StoredRecord } from './types.js';

function sameRecord(a: StoredRecord | undefined, b: StoredRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.version === b.version && a.writer === b.writer && a.valueJson === b.valueJson;
}

export class IndexedStore implements Store {
  readonly index = new MerkleIndex();
  readonly kind: Store['kind'];

  constructor(readonly inner: Store) {
    this.kind = inner.kind;
    this.rebuild();
  }

  /** Recomputes the index from a full scan of the store, tombstones included (start-up). */
  rebuild(): void {
    this.index.clear();
    let after: { token: number; key: string } | undefined;
    for (;;) {
      const page = this.inner.scan({
        startExclusive: 0,
        endInclusive: 0,
        limit: limits.storeScanRecordsMax,
        includeTombstones: true,
        ...(after ? { after } : {}),
      });
      for (const record of page) this.index.update(record.token, record.key, undefined, record);
      const last = page.at(-1);
      if (!last || page.length < limits.storeScanRecordsMax) return;
      after = { token: last.token, key: last.key };
    }
  }

  get(key: string): StoredRecord | undefined {
    return this.inner.get(key);
  }

  put(key: string, record: StoredRecord): Promise<boolean> {
    return this.tracked(key, () => this.inner.put(key, record));
  }

  putMany(entries: ReadonlyArray<{ key: string; record: StoredRecord }>): Promise<boolean[]> {
    const before = entries.map(({ key }) => this.inner.get(key));
    const result = this.inner.putMany(entries);
    // A key may appear twice in one batch: compare each key once, against its first "before".
    const seen = new Set<string>();
    entries.forEach(({ key }, i) => {
      if (seen.has(key)) return;
      seen.add(key);
      this.noteChange(key, before[i], this.inner.get(key));
    });
    return result;
  }

  delete(key: string, version: number, writer: NodeId): Promise<boolean> {
    return this.tracked(key, () => this.inner.delete(key, version, writer));
  }

  purge(key: string, version: number): Promise<boolean> {
    return this.tracked(key, () => this.inner.purge(key, version));
  }

  scan(options: ScanOptions): KeyedRecord[] {
    return this.inner.scan(options);
  }

  counts(): StoreCounts {
    return this.inner.counts();
  }

  putHint(hint: Hint): Promise<boolean> {
    return this.inner.putHint(hint);
  }

  hintsFor(target: NodeId, limit: number): Array<Hint & { id: string }> {
    return this.inner.hintsFor(target, limit);
  }

  deleteHint(id: string): Promise<void> {
    return this.inner.deleteHint(id);
  }

  hintCount(): number {
    return this.inner.hintCount();
  }

  hintsDropped(): number {
    return this.inner.hintsDropped();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private tracked<T>(key: string, write: () => Promise<T>): Promise<T> {
    const before = this.inner.get(key);
    const result = write();
    this.noteChange(key, before, this.inner.get(key));
    return result;
  }

  private noteChange(key: string, before: StoredRecord | undefined, after: StoredRecord | undefined): void {
    if (!sameRecord(before, after)) this.index.update(keyToken(key), key, before, after);
  }
}
