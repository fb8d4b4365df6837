/**
 * The two halves of a repair pull (anti-entropy and rebalance streaming share them):
 * - `RepairService` answers another node's `repair-digest` (the hash-tree digest of a token range, its
 *   bucket digests in slices) and `repair-fetch` (one bounded page of the range's records, tombstones
 *   included) from this node's `IndexedStore`;
 * - `remoteDigest` and `pullRange` ask a peer for those and apply what arrives (last-writer-wins `putMany`,
 *   so a record newer here is never overwritten and applying a page twice is harmless).
 */
import {
  limits,
  type PeerReplyByRequest,
  type RepairDigestReply,
  type RepairDigestRequest,
  type RepairFetchRequest,
  type RepairPush,
  type RepairPushAck,
  type RepairRecords,
  repairDigestBucketsMax,
} from '@ringkv/protocol';
import { recordBytes, scanEvery } from '../store/store-common.js';
import type { IndexedStore } from './indexed-store.js';
import { bucketBits, bucketOf, digestRecords } from './merkle.js';
import type { PeerRequester } from './replica.js';
import type { TokenRange } from './ring.js';
import type { NodeId } from './types.js';

export class RepairService {
  constructor(private readonly store: IndexedStore) {}

  /** The root of `range`'s digest: the XOR of its bucket digests (edge buckets over their part only). */
  root(range: TokenRange): number {
    let root = 0;
    for (const [first, last] of linearIntervals(range)) {
      const firstBucket = bucketOf(first);
      const lastBucket = bucketOf(last);
      // Interior buckets are whole: XOR their maintained digests without building slices.
      for (let bucket = firstBucket + 1; bucket < lastBucket; bucket++) {
        root ^= this.store.index.bucketDigest(bucket);
      }
      const edges = firstBucket === lastBucket ? [first] : [first, lastBucket * bucketWidth];
      for (const edgeToken of edges) {
        const edgeFirst = Math.max(edgeToken, bucketOf(edgeToken) * bucketWidth);
        const edgeLast = Math.min(last, bucketOf(edgeToken) * bucketWidth + bucketWidth - 1);
        const [slice] = bucketSlices(
          { startExclusive: edgeFirst === 0 ? tokenMax : edgeFirst - 1, endInclusive: edgeLast },
          0,
          1,
        );
        if (slice) root ^= this.digestOf(slice);
      }
    }
    return root >>> 0;
  }

  /** Digests of buckets `from`.. (at most `count`) of `range`, in token order, with their parts. */
  digests(range: TokenRange, from: number, count: number): Array<{ part: TokenRange; digest: number }> {
    return bucketSlices(range, from, count).map((slice) => ({
      part: slice.part,
      digest: this.digestOf(slice),
    }));
  }

  private digestOf(slice: BucketSlice): number {
    return slice.whole
      ? this.store.index.bucketDigest(slice.bucket)
      : digestRecords(this.digestedIn(slice.part));
  }

  serveDigest(request: RepairDigestRequest): RepairDigestReply {
    if (request.bucketsMax === 0) {
      const root = this.root(request.range);
      return { type: 'repair-digest-reply', root, bucketCount: 0, buckets: [] };
    }
    const count = Math.min(request.bucketsMax, repairDigestBucketsMax);
    return {
      type: 'repair-digest-reply',
      root: this.root(request.range),
      bucketCount: bucketCountOf(request.range),
      buckets: this.digests(request.range, request.bucketsFrom, count).map((slice) => slice.digest),
    };
  }

  serveFetch(request: RepairFetchRequest): RepairRecords {
    const bytesMax = limits.streamBatchBytesMax;
    const page = this.store.scan({
      ...request.range,
      ...(request.after ? { after: request.after } : {}),
      limit: request.recordsMax,
      includeTombstones: true,
      bytesMax,
    });
    const bytes = page.reduce((sum, record) => sum + recordBytes(record.key, record), 0);
    const last = page.at(-1);
    const full = page.length >= request.recordsMax || bytes >= bytesMax;
    return {
      type: 'repair-records',
      records: page.map(({ key, valueJson, version, writer }) => ({
        key,
        record: { valueJson, version, writer },
      })),
      ...(last && full ? { next: { token: last.token, key: last.key } } : {}),
    };
  }

  /** Applies records another node streams here (last-writer-wins). */
  async servePush(request: RepairPush): Promise<RepairPushAck> {
    const applied = await this.store.putMany(request.records);
    return { type: 'repair-push-ack', applied: applied.filter(Boolean).length };
  }

  /** The records of `part` that count in the digests (expired tombstones do not: reclamation-horizon.ts). */
  private *digestedIn(part: TokenRange) {
    for (const record of scanEvery(this.store, part)) if (this.store.inDigest(record)) yield record;
  }
}

const tokenMax = 2 ** 32 - 1;
const bucketWidth = 2 ** (32 - bucketBits);

interface BucketSlice {
  bucket: number;
  part: TokenRange;
  whole: boolean;
}

/** How many buckets `range` touches. */
function bucketCountOf(range: TokenRange): number {
  let count = 0;
  for (const [first, last] of linearIntervals(range)) count += bucketOf(last) - bucketOf(first) + 1;
  return count;
}

/**
 * Buckets `from`.. (at most `count`) that `range` touches, in token order, each with its part inside the
 * range (merkle.ts's `bucketsOfRange`, without materialising all 65,536 entries of a whole-ring range).
 */
function bucketSlices(range: TokenRange, from: number, count: number): BucketSlice[] {
  const slices: BucketSlice[] = [];
  let index = 0;
  for (const [first, last] of linearIntervals(range)) {
    const buckets = bucketOf(last) - bucketOf(first) + 1;
    if (index + buckets <= from) {
      index += buckets;
      continue;
    }
    const skip = Math.max(0, from - index);
    index += skip;
    for (let bucket = bucketOf(first) + skip; bucket <= bucketOf(last); bucket++, index++) {
      if (slices.length >= count) return slices;
      const bucketFirst = bucket * bucketWidth;
      const bucketLast = bucketFirst + bucketWidth - 1;
      const partFirst = Math.max(first, bucketFirst);
      const partLast = Math.min(last, bucketLast);
      slices.push({
        bucket,
        part: { startExclusive: partFirst === 0 ? tokenMax : partFirst - 1, endInclusive: partLast },
        whole: partFirst === bucketFirst && partLast === bucketLast,
      });
    }
  }
  return slices;
}

/** A wrapping range (s, e] as one or two inclusive linear intervals [first, last]. */
function linearIntervals(range: TokenRange): Array<[number, number]> {
  const { startExclusive: start, endInclusive: end } = range;
  if (start < end) return [[start + 1, end]];
  const intervals: Array<[number, number]> = [];
  if (start < tokenMax) intervals.push([start + 1, tokenMax]);
  intervals.push([0, end]);
  return intervals;
}

export interface PullOptions {
  timeoutMs: number;
  recordsMax?: number;
  /** Applies only the records whose key this accepts (checked as each page arrives); default all. */
  accept?: (key: string) => boolean;
}

/** Pages one pull fetches at most (a peer that keeps answering `next` cannot hold us forever). */
const pagesMax = 1_000_000;

/**
 * The parts of `range` (at most `partsMax`) whose records differ between this node and `peer`: roots
 * first, then bucket digests slice by slice only when the roots differ, so a range in agreement costs one
 * small request.
 */
export async function differingPartsWith(
  peers: PeerRequester,
  peer: NodeId,
  range: TokenRange,
  local: RepairService,
  options: { timeoutMs: number; partsMax: number },
): Promise<TokenRange[]> {
  const ask = (bucketsFrom: number, bucketsMax: number) =>
    peers.request(peer, { type: 'repair-digest', range, bucketsFrom, bucketsMax }, options.timeoutMs);
  const first = await ask(0, 0);
  if (first.root === local.root(range)) return [];
  const total = bucketCountOf(range);
  const differing: TokenRange[] = [];
  for (let from = 0; from < total && differing.length < options.partsMax; ) {
    const slice: PeerReplyByRequest['repair-digest'] = await ask(from, repairDigestBucketsMax);
    if (slice.buckets.length === 0) break; // the ring changed under us: the next round starts over
    local.digests(range, from, slice.buckets.length).forEach(({ part, digest }, i) => {
      if (digest !== slice.buckets[i] && differing.length < options.partsMax) differing.push(part);
    });
    from += slice.buckets.length;
  }
  return differing;
}

export interface PullResult {
  keysApplied: number;
  keysReceived: number;
  bytesReceived: number;
}

/** Fetches every record `peer` holds in `range`, page by page, applying each page before the next. */
export async function pullRange(
  peers: PeerRequester,
  peer: NodeId,
  range: TokenRange,
  store: IndexedStore,
  options: PullOptions,
): Promise<PullResult> {
  const result: PullResult = { keysApplied: 0, keysReceived: 0, bytesReceived: 0 };
  const recordsMax = options.recordsMax ?? limits.streamBatchRecordsMax;
  let after: { token: number; key: string } | undefined;
  let pages = 0;
  // Bounded: each page advances past at least one record of the (finite) range, or ends the pull.
  for (;;) {
    const request = {
      type: 'repair-fetch' as const,
      range: { startExclusive: range.startExclusive, endInclusive: range.endInclusive },
      recordsMax,
      ...(after ? { after } : {}),
    };
    const page = await peers.request(peer, request, options.timeoutMs);
    const accept = options.accept;
    const records = accept ? page.records.filter(({ key }) => accept(key)) : page.records;
    if (records.length > 0) {
      const applied = await store.putMany(records);
      result.keysApplied += applied.filter(Boolean).length;
    }
    result.keysReceived += page.records.length;
    for (const { key, record } of page.records) result.bytesReceived += recordBytes(key, record);
    const next = page.next;
    if (!next || (after && next.token === after.token && next.key === after.key)) return result;
    if (++pages >= pagesMax) throw new Error(`pull of a range from ${peer} exceeded ${pagesMax} pages`);
    after = next;
  }
}
