/**
 * A hash tree over the token space for anti-entropy (Dynamo section 4.7, Cassandra's repair).
 *
 * The 2^32 token space is cut into 2^16 buckets by the top 16 bits of a token. A bucket's digest is the XOR
 * of the digests of the records in it, so a write updates one bucket in O(1) (`digest ^= old ^ new`), in any
 * order, and two replicas holding the same records have the same bucket digests whatever order the writes
 * came in. Above the buckets sit two levels: a range's root (XOR of its buckets) and the buckets themselves.
 * Two replicas of a range first compare roots, then only the buckets of ranges whose roots differ, and then
 * exchange only the records of differing buckets.
 *
 * Ring ranges do not align with buckets: a range's first and last buckets may hold records of other ranges.
 * Those edge buckets are digested over the range's part only, by a caller-supplied function that scans the
 * store for that small token interval (about 1/65536 of the records).
 *
 * XOR digests are 32-bit: two different record sets collide with probability about 2^-32 per bucket, and a
 * collision only delays convergence until either side's bucket changes again.
 */
import { hashString, murmur3Words } from './hash.js';
import type { TokenRange } from './ring.js';
import type { StoredRecord } from './types.js';

export const bucketBits = 16;
export const bucketCount = 2 ** bucketBits;
const bucketShift = 32 - bucketBits;
const bucketWidth = 2 ** bucketShift;

/** The digest of one record version: equal on every replica for the same write. */
export function recordDigest(key: string, record: StoredRecord): number {
  return digestWithKey(keyDigest(key), record);
}

function keyDigest(key: string): number {
  return hashString(key, 0x9747b28c);
}

/**
 * `recordDigest` with the key's own hash already computed (an update hashes its key once, not twice). The
 * version's two 32-bit halves, the writer's hash and the tombstone flag are hashed as four words: no
 * string is built (every write digests its old and its new record on every replica).
 */
function digestWithKey(keyHash: number, record: StoredRecord): number {
  const { version } = record;
  const digest = murmur3Words(
    version >>> 0,
    Math.floor(version / 2 ** 32),
    hashString(record.writer),
    record.valueJson === null ? 1 : 0,
  );
  return (digest ^ keyHash) >>> 0 || 1; // never 0, so "no record" (0) differs from any record
}

export function bucketOf(token: number): number {
  return token >>> bucketShift;
}

/** The tokens of bucket b: (b * width - 1, (b + 1) * width - 1], in the ring's range convention. */
export function bucketRange(bucket: number): TokenRange {
  const first = bucket * bucketWidth;
  return { startExclusive: first === 0 ? 2 ** 32 - 1 : first - 1, endInclusive: first + bucketWidth - 1 };
}

/** A bucket-aligned slice of a range, or the partial slice of an edge bucket. */
export interface RangeBucket {
  bucket: number;
  /** The tokens of this bucket that belong to the range. */
  part: TokenRange;
  /** True when the range covers the whole bucket, so the maintained bucket digest applies. */
  whole: boolean;
}

/** The buckets a range touches, in token order, each with the part of it inside the range. */
export function bucketsOfRange(range: TokenRange): RangeBucket[] {
  const intervals = linearIntervals(range);
  const result: RangeBucket[] = [];
  for (const [first, last] of intervals) {
    for (let bucket = bucketOf(first); bucket <= bucketOf(last); bucket++) {
      const bucketFirst = bucket * bucketWidth;
      const bucketLast = bucketFirst + bucketWidth - 1;
      const partFirst = Math.max(first, bucketFirst);
      const partLast = Math.min(last, bucketLast);
      result.push({
        bucket,
        part: { startExclusive: partFirst === 0 ? 2 ** 32 - 1 : partFirst - 1, endInclusive: partLast },
        whole: partFirst === bucketFirst && partLast === bucketLast,
      });
    }
  }
  return result;
}

/** A wrapping range (s, e] as one or two inclusive linear intervals [first, last]. */
function linearIntervals(range: TokenRange): Array<[number, number]> {
  const { startExclusive: start, endInclusive: end } = range;
  const max = 2 ** 32 - 1;
  if (start < end) return [[start + 1, end]];
  // start >= end wraps; start === end is the whole ring.
  const intervals: Array<[number, number]> = [];
  if (start < max) intervals.push([start + 1, max]);
  intervals.push([0, end]);
  return intervals;
}

/** Digests records with tokens inside `part` (an edge bucket's share of a range), from the store. */
export type PartialDigest = (part: TokenRange) => number;

export interface RangeDigest {
  range: TokenRange;
  root: number;
  /** Per touched bucket, in token order: its digest restricted to the range. */
  buckets: Array<{ bucket: number; digest: number }>;
}

export class MerkleIndex {
  private readonly buckets = new Uint32Array(bucketCount);

  /** Records a change of one key's record: `before` is undefined for a new key, `after` undefined for a purge. */
  update(
    token: number,
    key: string,
    before: StoredRecord | undefined,
    after: StoredRecord | undefined,
  ): void {
    const keyHash = keyDigest(key);
    const previous = before === undefined ? 0 : digestWithKey(keyHash, before);
    const next = after === undefined ? 0 : digestWithKey(keyHash, after);
    const bucket = bucketOf(token);
    this.buckets[bucket] = (this.buckets[bucket]! ^ previous ^ next) >>> 0;
  }

  bucketDigest(bucket: number): number {
    return this.buckets[bucket]!;
  }

  /** The two-level digest of a range: its root and its buckets (edge buckets via `partial`). */
  digestRange(range: TokenRange, partial: PartialDigest): RangeDigest {
    let root = 0;
    const buckets = bucketsOfRange(range).map(({ bucket, part, whole }) => {
      const digest = whole ? this.buckets[bucket]! : partial(part) >>> 0;
      root = (root ^ digest) >>> 0;
      return { bucket, digest };
    });
    return { range, root, buckets };
  }

  clear(): void {
    this.buckets.fill(0);
  }
}

/** The parts of a range whose records differ between two digests of it (same range, same bucket order). */
export function differingParts(local: RangeDigest, remote: RangeDigest): TokenRange[] {
  if (local.root === remote.root) return [];
  const parts = bucketsOfRange(local.range);
  const remoteByBucket = new Map(remote.buckets.map((b) => [b.bucket, b.digest]));
  const differing: TokenRange[] = [];
  local.buckets.forEach((entry, i) => {
    if (remoteByBucket.get(entry.bucket) !== entry.digest) differing.push(parts[i]!.part);
  });
  return differing;
}

/** XOR of record digests: what `partial` computes over a scan of the store. */
export function digestRecords(records: Iterable<{ key: string } & StoredRecord>): number {
  let digest = 0;
  for (const record of records) digest = (digest ^ recordDigest(record.key, record)) >>> 0;
  return digest;
}
