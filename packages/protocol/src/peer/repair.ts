/**
 * Peer messages for anti-entropy and rebalancing (internal; see docs/PROTOCOL.md, "Repair"). Both are pulls:
 * a node asks a replica for the hash-tree digest of a token range (`repair-digest`), compares it with its
 * own, and fetches the records of the parts that differ (`repair-fetch`, paged, tombstones included). A node
 * that gains ranges on a ring change fetches them the same way from their previous replicas.
 */
import { z } from 'zod';
import { keyBytesMax, streamBatchRecordsMax, valueBytesMax } from '../limits.js';
import { NodeAddress, Version } from '../messages.js';

/** Bucket digests one `repair-digest` reply carries at most (a range's buckets are asked for in slices). */
export const repairDigestBucketsMax = 4_096;

const Token = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const Uint32 = Token;
// The same shapes as data.ts's PeerKey and PeerRecord (data.ts imports this module, so not imported back).
const PeerKey = z.string().min(1).max(keyBytesMax);
const PeerRecord = z.object({
  valueJson: z.string().max(valueBytesMax).nullable(),
  version: Version,
  writer: NodeAddress,
});
/** (startExclusive, endInclusive], wrapping when startExclusive >= endInclusive (equal: the whole ring). */
export const PeerTokenRange = z.object({ startExclusive: Token, endInclusive: Token });
export type PeerTokenRange = z.infer<typeof PeerTokenRange>;
export const ScanPosition = z.object({ token: Token, key: PeerKey });

/** The range's root digest and the digests of its buckets `bucketsFrom`.. (at most `bucketsMax`). */
export const RepairDigestRequest = z.object({
  type: z.literal('repair-digest'),
  range: PeerTokenRange,
  bucketsFrom: z.number().int().nonnegative(),
  bucketsMax: z.number().int().nonnegative().max(repairDigestBucketsMax),
});
export type RepairDigestRequest = z.infer<typeof RepairDigestRequest>;
export const RepairDigestReply = z.object({
  type: z.literal('repair-digest-reply'),
  root: Uint32,
  /** How many buckets the range touches in all. */
  bucketCount: z.number().int().nonnegative(),
  buckets: z.array(Uint32).max(repairDigestBucketsMax),
});
export type RepairDigestReply = z.infer<typeof RepairDigestReply>;

/** One page of the records (tombstones included) held in `range`, after `after`. */
export const RepairFetchRequest = z.object({
  type: z.literal('repair-fetch'),
  range: PeerTokenRange,
  after: ScanPosition.optional(),
  recordsMax: z.number().int().min(1).max(streamBatchRecordsMax),
});
export type RepairFetchRequest = z.infer<typeof RepairFetchRequest>;
export const RepairRecords = z.object({
  type: z.literal('repair-records'),
  records: z.array(z.object({ key: PeerKey, record: PeerRecord })).max(streamBatchRecordsMax),
  /** Where the next page starts; absent on the last page. */
  next: ScanPosition.optional(),
});
export type RepairRecords = z.infer<typeof RepairRecords>;

/** Records streamed to a new owner of their range (decommission: the leaving node pushes its ranges out). */
export const RepairPush = z.object({
  type: z.literal('repair-push'),
  records: z
    .array(z.object({ key: PeerKey, record: PeerRecord }))
    .min(1)
    .max(streamBatchRecordsMax),
});
export type RepairPush = z.infer<typeof RepairPush>;
export const RepairPushAck = z.object({
  type: z.literal('repair-push-ack'),
  applied: z.number().int().nonnegative(),
});
export type RepairPushAck = z.infer<typeof RepairPushAck>;
