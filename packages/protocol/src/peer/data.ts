/**
 * Peer messages for the handshake and replication (internal; see docs/PROTOCOL.md, "Transport" and
 * "Replication"). Everything a peer sends is validated against these schemas before it is acted on: a peer
 * is another process that may run another version, another cluster's secret, or be someone else entirely.
 */
import { z } from 'zod';
import { errorCodes } from '../errors.js';
import {
  clusterNameBytesMax,
  keyBytesMax,
  peerNonceBytes,
  replicaBatchKeysMax,
  valueBytesMax,
} from '../limits.js';
import { Consistency, NodeAddress, OpStats, RebalanceStatus, Version } from '../messages.js';
import {
  RepairDigestReply,
  RepairDigestRequest,
  RepairFetchRequest,
  RepairPush,
  RepairPushAck,
  RepairRecords,
} from './repair.js';

/**
 * Bumped on any incompatible change to the peer protocol; peers with another version are refused.
 * 3 added `expect` to `replica-writes` items (single-round conditional writes): a version-2 node would strip
 * it and apply the write unconditionally, so it must not take part. 4 changed the hash tree's record digest
 * (numbers instead of text): a version-3 node's digests would differ for every record it holds.
 */
export const peerProtocolVersion = 4;

const hexPattern = /^[0-9a-f]+$/;
export const PeerNonce = z
  .string()
  .length(peerNonceBytes * 2)
  .regex(hexPattern, 'nonce must be lowercase hex');
/** An HMAC-SHA256 proof, lowercase hex. */
export const PeerProof = z.string().length(64).regex(hexPattern, 'proof must be lowercase hex');
export const ClusterName = z.string().min(1).max(clusterNameBytesMax);

// --- Handshake: hello (dialer) -> welcome (acceptor) -> auth (dialer) -> ready (acceptor) ---------------

export const PeerHello = z.object({
  type: z.literal('hello'),
  cluster: ClusterName,
  node: NodeAddress,
  version: z.number().int().nonnegative(),
  nonce: PeerNonce,
});
export type PeerHello = z.infer<typeof PeerHello>;
export const PeerWelcome = z.object({
  type: z.literal('welcome'),
  cluster: ClusterName,
  node: NodeAddress,
  version: z.number().int().nonnegative(),
  nonce: PeerNonce,
  proof: PeerProof,
});
export type PeerWelcome = z.infer<typeof PeerWelcome>;
export const PeerAuth = z.object({ type: z.literal('auth'), proof: PeerProof });
export type PeerAuth = z.infer<typeof PeerAuth>;
export const PeerReady = z.object({ type: z.literal('ready') });
export type PeerReady = z.infer<typeof PeerReady>;

// --- Records and replication requests -----------------------------------------------------------------

/** A key on the peer wire. Length in UTF-16 units bounds the UTF-8 byte length from below, so this is loose. */
export const PeerKey = z.string().min(1).max(keyBytesMax);
/** A value's JSON text (already checked at the client edge); null is a tombstone. */
export const PeerValueJson = z.string().max(valueBytesMax);
export const PeerRecord = z.object({
  valueJson: PeerValueJson.nullable(),
  version: Version,
  writer: NodeAddress,
});
export type PeerRecord = z.infer<typeof PeerRecord>;

/** Store `record` as a replica; with `hintFor`, keep it as a hint for that owner instead (hinted handoff). */
export const ReplicaWrite = z.object({
  type: z.literal('replica-write'),
  key: PeerKey,
  record: PeerRecord,
  hintFor: NodeAddress.optional(),
});
export type ReplicaWrite = z.infer<typeof ReplicaWrite>;
export const ReplicaRead = z.object({ type: z.literal('replica-read'), key: PeerKey });
export type ReplicaRead = z.infer<typeof ReplicaRead>;
/** Which write a record is: version and writer (a coordinator's own copy, in `replica-reads.known`). */
export const PeerRecordId = z.object({ version: Version, writer: NodeAddress });
export type PeerRecordId = z.infer<typeof PeerRecordId>;
/**
 * One `replica-write` inside a `replica-writes` batch. With `expect` (a conditional write, never with
 * `hintFor`), the replica applies `record` only if it holds exactly that write (null: it holds no record
 * of the key), and otherwise answers with what it holds (`PeerWriteRefused`).
 */
export const ReplicaWriteItem = z.object({
  key: PeerKey,
  record: PeerRecord,
  hintFor: NodeAddress.optional(),
  expect: PeerRecordId.nullable().optional(),
});
export type ReplicaWriteItem = z.infer<typeof ReplicaWriteItem>;
/**
 * Many replica writes to one peer in one request (the writes a coordinator sends that peer in one turn);
 * each is applied and answered on its own (`write-acks`, same order).
 */
export const ReplicaWriteBatch = z.object({
  type: z.literal('replica-writes'),
  writes: z.array(ReplicaWriteItem).min(1).max(replicaBatchKeysMax),
});
export type ReplicaWriteBatch = z.infer<typeof ReplicaWriteBatch>;
/**
 * Many replica reads from one peer in one request; answered by `read-replies`, same order. With `known`
 * (one entry per key: the write the sender holds, or null), the peer answers `true` instead of the record
 * when it holds that same write, so values the sender already has do not travel back.
 */
export const ReplicaReadBatch = z.object({
  type: z.literal('replica-reads'),
  keys: z.array(PeerKey).min(1).max(replicaBatchKeysMax),
  known: z.array(PeerRecordId.nullable()).max(replicaBatchKeysMax).optional(),
});
export type ReplicaReadBatch = z.infer<typeof ReplicaReadBatch>;
/** A client data operation forwarded (one hop) to the key's coordinator. */
export const ForwardRequest = z.object({
  type: z.literal('forward'),
  op: z.enum(['create', 'read', 'update', 'delete']),
  key: PeerKey,
  valueJson: PeerValueJson.optional(),
  consistency: Consistency,
});
export type ForwardRequest = z.infer<typeof ForwardRequest>;
/** What a node stores, for `nodes` on another node. */
export const StatsRequest = z.object({ type: z.literal('stats') });
export type StatsRequest = z.infer<typeof StatsRequest>;

export const PeerRequest = z.discriminatedUnion('type', [
  ReplicaWrite,
  ReplicaRead,
  ReplicaWriteBatch,
  ReplicaReadBatch,
  ForwardRequest,
  StatsRequest,
  RepairDigestRequest,
  RepairFetchRequest,
  RepairPush,
]);
export type PeerRequest = z.infer<typeof PeerRequest>;

/** A failure with a SPEC error code: the `err` envelope's body, and one key's failure inside a batch reply. */
export const PeerError = z.object({
  code: z.enum(errorCodes as [string, ...string[]]),
  message: z.string().max(4096),
});
export type PeerError = z.infer<typeof PeerError>;
/** One key of a batch that failed on its own (the other keys of the batch still have their answers). */
export const PeerKeyFailure = z.object({ error: PeerError });
export type PeerKeyFailure = z.infer<typeof PeerKeyFailure>;

export const WriteAck = z.object({ type: z.literal('write-ack'), applied: z.boolean() });
export type WriteAck = z.infer<typeof WriteAck>;
export const ReadReply = z.object({ type: z.literal('read-reply'), record: PeerRecord.nullable() });
export type ReadReply = z.infer<typeof ReadReply>;
/** A conditional write the replica did not apply: it holds another write of the key (null: none). */
export const PeerWriteRefused = z.object({ held: PeerRecord.nullable() });
export type PeerWriteRefused = z.infer<typeof PeerWriteRefused>;
/**
 * Per write of a `replica-writes`, in order: `applied` (as in `write-ack`), that write's failure, or (only
 * for a write with `expect`) the refusal carrying what the replica holds instead.
 */
export const WriteAcks = z.object({
  type: z.literal('write-acks'),
  results: z.array(z.union([z.boolean(), PeerKeyFailure, PeerWriteRefused])).max(replicaBatchKeysMax),
});
export type WriteAcks = z.infer<typeof WriteAcks>;
/**
 * Per key of a `replica-reads`, in order: the record, null (none held), that read's failure, or `true`:
 * the peer holds exactly the write given for that key in `known`.
 */
export const ReadReplies = z.object({
  type: z.literal('read-replies'),
  results: z.array(z.union([PeerRecord, z.null(), PeerKeyFailure, z.literal(true)])).max(replicaBatchKeysMax),
});
export type ReadReplies = z.infer<typeof ReadReplies>;
export const ForwardReply = z.object({
  type: z.literal('forward-reply'),
  key: PeerKey,
  /** Absent for a delete. */
  valueJson: PeerValueJson.optional(),
  version: Version.optional(),
  /** The node that stamped the version (the coordinator that wrote it, or the record's writer on a read). */
  writer: NodeAddress.optional(),
  deleted: z.literal(true).optional(),
});
export type ForwardReply = z.infer<typeof ForwardReply>;
export const StatsReply = z.object({
  type: z.literal('stats-reply'),
  keys: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Per operation, since the node's previous sample (absent from nodes that do not measure). */
  ops: z.record(z.string().max(16), OpStats).optional(),
  forwarded: z.number().int().nonnegative().optional(),
  /** Streaming progress on ring changes (absent from nodes that do not report it). */
  rebalance: RebalanceStatus.optional(),
});
export type StatsReply = z.infer<typeof StatsReply>;

export const PeerReply = z.discriminatedUnion('type', [
  WriteAck,
  ReadReply,
  WriteAcks,
  ReadReplies,
  ForwardReply,
  StatsReply,
  RepairDigestReply,
  RepairRecords,
  RepairPushAck,
]);
export type PeerReply = z.infer<typeof PeerReply>;

/** The reply type each request expects (checked by the transport's caller, not trusted blindly). */
export interface PeerReplyByRequest {
  'replica-write': WriteAck;
  'replica-read': ReadReply;
  'replica-writes': WriteAcks;
  'replica-reads': ReadReplies;
  forward: ForwardReply;
  stats: StatsReply;
  'repair-digest': RepairDigestReply;
  'repair-fetch': RepairRecords;
  'repair-push': RepairPushAck;
}
