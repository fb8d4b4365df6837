/**
 * A Store that keeps a `MerkleIndex` in step with every record it applies, whoever applies it (the
 * coordinator's local write, a replica write, a hint, a read repair, anti-entropy or rebalance streaming).
 * Both engines decide last-writer-wins synchronously when a write is issued (a `get` right after `put` sees
 * it), so comparing the record before and after the call tells whether the write applied, and the index is
 * updated in the same turn, before any other write to the key can be decided.
 *
 * With a reclamation policy (tombstone collection, core/sweeper.ts) it also guards what collection relies on:
 * - it refuses an expired tombstone for a key it does not hold, whatever path brings it (replica write,
 *   hint, read repair, anti-entropy, rebalance). Otherwise a replica that collected a tombstone would take
 *   it back from one that has not yet, and the two would pass it to and fro forever;
 * - the digests leave expired tombstones out (`reclamation-horizon.ts`), so a replica that collected one
 *   and a replica that still holds it look the same to anti-entropy;
 * - hints older than half the grace period are dropped instead of delivered: a hint carrying an older
 *   value must never land after the tombstone that supersedes it was collected.
 */
import type { Hint, KeyedRecord, ScanOptions, Store, StoreCounts } from '../store/store.js';
import { scanEvery } from '../store/store-common.js';
import { keyToken } from './hash.js';
import { hlcMillis } from './hlc.js';
import { MerkleIndex } from './merkle.js';
import { ReclamationHorizon } from './reclamation-horizon.js';
import { tombstoneExpired } from './tombstones.js';
import type { Clock, NodeId, StoredRecord } from './types.js';

/** Tombstone collection is on: tombstones older than `graceMs` (by `clock`) are about to disappear. */
export interface ReclamationPolicy {
  clock: Pick<Clock, 'nowMs'>;
  graceMs: number;
}

function sameRecord(a: StoredRecord | undefined, b: StoredRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.version === b.version && a.writer === b.writer && a.valueJson === b.valueJson;
}

export class IndexedStore implements Store {
  readonly index = new MerkleIndex();
  readonly kind: Store['kind'];
  /** What the reclamation guards did: expired tombstones refused, stale hints dropped. */
  readonly reclamationStats = { tombstonesRefused: 0, hintsExpired: 0, hintsExpiredFailed: 0 };
  /** Which expired tombstones the digests leave out; undefined without a reclamation policy. */
  readonly horizon: ReclamationHorizon | undefined;

  constructor(
    readonly inner: Store,
    private readonly policy?: ReclamationPolicy,
  ) {
    this.kind = inner.kind;
    this.horizon = policy ? new ReclamationHorizon(policy.graceMs) : undefined;
    this.rebuild();
  }

  /** Recomputes the index from a full scan of the store, tombstones included (start-up). */
  rebuild(): void {
    this.index.clear();
    if (this.policy) this.horizon?.reset(this.policy.clock.nowMs());
    for (const record of scanEvery(this.inner, { startExclusive: 0, endInclusive: 0 })) {
      this.index.update(record.token, record.key, undefined, this.digested(record));
    }
  }

  get(key: string): StoredRecord | undefined {
    return this.inner.get(key);
  }

  put(key: string, record: StoredRecord): Promise<boolean> {
    try {
      const outcome = this.write(key, record);
      return typeof outcome === 'boolean' ? Promise.resolve(outcome) : outcome;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  write(key: string, record: StoredRecord): boolean | Promise<boolean> {
    if (this.refuses(key, record)) return false;
    // `tracked`, written out: every write comes here, and a closure per write is garbage to collect.
    const before = this.inner.get(key);
    const outcome = this.inner.write(key, record);
    // Applied (now, whatever durability is still to come): the key holds `record`'s write, else `before`.
    if (outcome !== false) this.noteChange(key, before, record);
    return outcome;
  }

  putMany(entries: ReadonlyArray<{ key: string; record: StoredRecord }>): Promise<boolean[]> {
    // Decided in order: a key an earlier entry of the batch writes is held by the time a later one applies.
    const written = new Set<string>();
    const admitted = entries.map(({ key, record }) => {
      const admit = written.has(key) || !this.refuses(key, record);
      if (admit) written.add(key);
      return admit;
    });
    const kept = admitted.every(Boolean) ? entries : entries.filter((_, i) => admitted[i]);
    const before = kept.map(({ key }) => this.inner.get(key));
    const result = this.inner.putMany(kept);
    // A key may appear twice in one batch: compare each key once, against its first "before".
    const seen = new Set<string>();
    kept.forEach(({ key }, i) => {
      if (seen.has(key)) return;
      seen.add(key);
      this.noteChange(key, before[i], this.inner.get(key));
    });
    if (kept === entries) return result;
    return result.then((applied) => {
      let next = 0;
      return admitted.map((admit) => (admit ? applied[next++]! : false));
    });
  }

  delete(key: string, version: number, writer: NodeId): Promise<boolean> {
    return this.put(key, { valueJson: null, version, writer });
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

  /** Up to `limit` hints for `target`; with a reclamation policy, hints too old to deliver are dropped. */
  hintsFor(target: NodeId, limit: number): Array<Hint & { id: string }> {
    const hints = this.inner.hintsFor(target, limit);
    if (!this.policy) return hints;
    const nowMs = this.policy.clock.nowMs();
    const hintAgeMsMax = this.policy.graceMs / 2;
    return hints.filter((hint) => {
      if (hlcMillis(hint.record.version) + hintAgeMsMax > nowMs) return true;
      this.reclamationStats.hintsExpired++;
      this.inner.deleteHint(hint.id).catch(() => {
        // Still held: the next listing filters it out again and retries the delete.
        this.reclamationStats.hintsExpiredFailed++;
      });
      return false;
    });
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

  /**
   * Takes the expired tombstones of `bucket` out of the digests (the sweeper walks every bucket in turn);
   * returns how many it took out. Synchronous, so no write to the bucket interleaves.
   */
  retireExpired(bucket: number): number {
    if (!this.policy || !this.horizon) return 0;
    // Nothing counted in the bucket (or an XOR collision): skip it and leave its horizon, which keeps the
    // index exact either way; a bucket with something in it is retired on a later pass.
    if (this.index.bucketDigest(bucket) === 0) return 0;
    const retired = this.horizon.advance(bucket, this.policy.clock.nowMs(), (part) =>
      scanEvery(this.inner, part),
    );
    for (const record of retired) this.index.update(record.token, record.key, record, undefined);
    return retired.length;
  }

  /** Whether `record` (of a key with ring token `token`) counts in the digests now. */
  inDigest(record: KeyedRecord): boolean {
    return this.horizon?.counts(record.token, record) ?? true;
  }

  /** Whether this write must be refused: an expired tombstone for a key this store does not hold. */
  private refuses(key: string, record: StoredRecord): boolean {
    if (!this.policy || record.valueJson !== null) return false;
    if (!tombstoneExpired(record, this.policy.clock.nowMs(), this.policy.graceMs)) return false;
    if (this.inner.get(key) !== undefined) return false;
    this.reclamationStats.tombstonesRefused++;
    return true;
  }

  private digested(record: KeyedRecord): StoredRecord | undefined {
    return this.inDigest(record) ? record : undefined;
  }

  private tracked<T>(key: string, write: () => Promise<T>): Promise<T> {
    const before = this.inner.get(key);
    const result = write();
    this.noteChange(key, before, this.inner.get(key));
    return result;
  }

  private noteChange(key: string, before: StoredRecord | undefined, after: StoredRecord | undefined): void {
    if (sameRecord(before, after)) return;
    const token = keyToken(key);
    this.index.update(token, key, this.counted(token, before), this.counted(token, after));
  }

  /** `record` when it counts in the digests (see `inDigest`), `undefined` when it does not. */
  private counted(token: number, record: StoredRecord | undefined): StoredRecord | undefined {
    return record === undefined || this.horizon === undefined || this.horizon.counts(token, record)
      ? record
      : undefined;
  }
}
