/**
 * Which expired tombstones the merkle digests leave out (issue 4 item 4, rule "digests ignore expired
 * tombstones"). A replica that collected a tombstone holds nothing for the key; one that has not yet holds
 * the expired tombstone. If digests counted it, the two would differ until the second collects it, and
 * anti-entropy would ship the tombstone back and forth in the meantime (or for as long as a replica is down
 * and blocks collection). So an expired tombstone counts as nothing.
 *
 * "Expired" depends on the time, but the digest index is maintained incrementally (XOR per bucket), so a
 * tombstone's expiry must be applied to the index at a definite moment. Each of the 2^16 buckets has a
 * horizon: a tombstone counts in its bucket's digest unless `millis + graceMs <= horizon[bucket]`. Writes
 * use the bucket's current horizon; `advance` moves one bucket's horizon to now and returns the tombstones
 * that expired in between, which the caller takes out of the index, in the same synchronous turn. The
 * sweeper advances every bucket in turn, so replicas agree again within one pass of the sweeper.
 * The horizons cost 512 KiB per node (one float64 per bucket).
 */
import type { KeyedRecord } from '../store/store.js';
import { hlcMillis } from './hlc.js';
import { bucketCount, bucketOf, bucketRange } from './merkle.js';
import type { TokenRange } from './ring.js';
import type { StoredRecord } from './types.js';

export class ReclamationHorizon {
  private readonly horizonsMs = new Float64Array(bucketCount);

  constructor(readonly graceMs: number) {}

  /** Every bucket's horizon to `nowMs` (a rebuild of the index from the store). */
  reset(nowMs: number): void {
    this.horizonsMs.fill(nowMs);
  }

  /** Whether `record` (whose key has ring token `token`) counts in its bucket's digest. */
  counts(token: number, record: StoredRecord): boolean {
    if (record.valueJson !== null) return true;
    return hlcMillis(record.version) + this.graceMs > this.horizonsMs[bucketOf(token)]!;
  }

  horizonMs(bucket: number): number {
    return this.horizonsMs[bucket]!;
  }

  /**
   * Moves `bucket`'s horizon to `nowMs` and returns the tombstones of the bucket that expired since its
   * previous horizon (they counted until now). A clock that stepped back leaves the horizon where it was.
   */
  advance(bucket: number, nowMs: number, scan: (range: TokenRange) => Iterable<KeyedRecord>): KeyedRecord[] {
    const previousMs = this.horizonsMs[bucket]!;
    if (nowMs <= previousMs) return [];
    const expired: KeyedRecord[] = [];
    for (const record of scan(bucketRange(bucket))) {
      if (record.valueJson !== null) continue;
      const expiresMs = hlcMillis(record.version) + this.graceMs;
      if (expiresMs > previousMs && expiresMs <= nowMs) expired.push(record);
    }
    this.horizonsMs[bucket] = nowMs;
    return expired;
  }
}
