/**
 * Peer messages for SWIM membership and dissemination (internal; see docs/PROTOCOL.md, "Membership").
 * Every message a peer sends is untrusted: `decodeMembershipMessage` validates it completely (types,
 * bounds, counts) before the core sees it, and refuses anything else with BAD_REQUEST naming the field.
 */
import { z } from 'zod';
import { describeIssues } from '../decode.js';
import { RingKvError } from '../errors.js';
import {
  membershipChecksumCharsMax,
  membershipStateEntriesMax,
  membershipUpdatesPerMessageMax,
  vnodesMax,
} from '../limits.js';
import { NodeAddress, nodeStatuses } from '../messages.js';

/** A member's status on the wire: the five NodeStatus values, plus `removed` (left the ring for good). */
export const memberWireStatuses = [...nodeStatuses, 'removed'] as const;
export const MemberWireStatus = z.enum(memberWireStatuses);
export type MemberWireStatus = z.infer<typeof MemberWireStatus>;

const Incarnation = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Token = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const Sequence = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Checksum = z.string().max(membershipChecksumCharsMax);

/**
 * One fact about a member: `id` is `status` at `incarnation`. `tokens` travel when the fact introduces the
 * member (alive, joining, leaving); suspect, dead and removed facts may omit them.
 */
export const MemberUpdate = z.object({
  id: NodeAddress,
  status: MemberWireStatus,
  incarnation: Incarnation,
  tokens: z.array(Token).max(vnodesMax).optional(),
});
export type MemberUpdate = z.infer<typeof MemberUpdate>;

const Updates = z.array(MemberUpdate).max(membershipUpdatesPerMessageMax);
const FullState = z.array(MemberUpdate).max(membershipStateEntriesMax);

/** A direct probe. `checksum` is the sender's membership checksum (see PROTOCOL.md). */
export const PingMessage = z.object({
  type: z.literal('ping'),
  seq: Sequence,
  checksum: Checksum,
  updates: Updates,
});
/** The answer to a ping (also relayed back to a ping-req's sender, with the sender's `seq`). */
export const AckMessage = z.object({
  type: z.literal('ack'),
  seq: Sequence,
  checksum: Checksum,
  updates: Updates,
});
/** Asks the receiver to ping `target` and relay its ack (SWIM's indirect probe). */
export const PingReqMessage = z.object({
  type: z.literal('ping-req'),
  seq: Sequence,
  target: NodeAddress,
  checksum: Checksum,
  updates: Updates,
});
/** A new (or restarted) node asks a seed to let it in; `member` is the joiner's own state. */
export const JoinMessage = z.object({ type: z.literal('join'), member: MemberUpdate });
/** The seed's answer: its full state, the joiner included. */
export const JoinReplyMessage = z.object({
  type: z.literal('join-reply'),
  members: FullState,
  checksum: Checksum,
});
/** Full-state push-pull when checksums differ and gossip has nothing left to say; `reply` asks for ours. */
export const SyncMessage = z.object({
  type: z.literal('sync'),
  reply: z.boolean(),
  members: FullState,
  checksum: Checksum,
});
/** A graceful leave, announced straight to every member: the leaver's `removed` fact. */
export const LeaveMessage = z.object({ type: z.literal('leave'), member: MemberUpdate });

export const MembershipMessage = z.discriminatedUnion('type', [
  PingMessage,
  AckMessage,
  PingReqMessage,
  JoinMessage,
  JoinReplyMessage,
  SyncMessage,
  LeaveMessage,
]);
export type MembershipMessage = z.infer<typeof MembershipMessage>;
export type MembershipMessageType = MembershipMessage['type'];
export const membershipMessageTypes: readonly MembershipMessageType[] = [
  'ping',
  'ack',
  'ping-req',
  'join',
  'join-reply',
  'sync',
  'leave',
];

export type DecodedMembershipMessage =
  | { ok: true; message: MembershipMessage }
  | { ok: false; error: RingKvError };

/** Validates one parsed peer message. Never throws; a failure names the field (`updates.0.incarnation: ...`). */
export function decodeMembershipMessage(raw: unknown): DecodedMembershipMessage {
  const parsed = MembershipMessage.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: new RingKvError('BAD_REQUEST', describeIssues(parsed.error, 'membership')) };
}
