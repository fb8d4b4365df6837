/**
 * The client wire contract of SPEC sections 2 and 3 as zod schemas; the TypeScript types are derived from
 * them, and the OpenAPI document is generated from them, so the three cannot drift apart.
 * Unions are named by direction: ClientRequest (client -> node), ClientReply (node -> client),
 * DashboardEvent (node -> subscribed client).
 */
import { z } from 'zod';
import { errorCodes } from './errors.js';
import { batchRequestsMax, nodeAddressBytesMax, requestIdBytesMax } from './limits.js';

export const consistencyLevels = ['one', 'quorum', 'all'] as const;
export const Consistency = z.enum(consistencyLevels);
export type Consistency = z.infer<typeof Consistency>;

export const nodeStatuses = ['joining', 'alive', 'suspect', 'dead', 'leaving'] as const;
export const NodeStatus = z.enum(nodeStatuses);
export type NodeStatus = z.infer<typeof NodeStatus>;

export const topics = ['ring', 'nodes', 'stats'] as const;
export const Topic = z.enum(topics);
export type Topic = z.infer<typeof Topic>;

export const RequestId = z.union([z.number().finite(), z.string().max(requestIdBytesMax)]);
export type RequestId = z.infer<typeof RequestId>;

/** A key as it appears in a decoded request; byte-length limits are checked in decode (TOO_LARGE vs BAD_REQUEST). */
export const Key = z.string().min(1, 'key must not be empty');

/**
 * HOST:PORT, where HOST is a DNS name, an IPv4 address or a bracketed IPv6 address. A bare name such as
 * `node1` (what the original FastAPI client sent) is refused with a message that says what a node is.
 */
export const nodeAddressPattern =
  /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):(\d{1,5})$/;
export const NodeAddress = z
  .string()
  .max(nodeAddressBytesMax)
  .refine((s) => {
    const match = nodeAddressPattern.exec(s);
    if (!match) return false;
    const port = Number(match[1]);
    return port >= 1 && port <= 65535;
  }, 'a node is a running process addressed as HOST:PORT, e.g. 127.0.0.1:7004');
export type NodeAddress = z.infer<typeof NodeAddress>;

const base = { id: RequestId };
const dataOptions = { consistency: Consistency.optional() };

export const CreateRequest = z.object({
  ...base,
  op: z.literal('create'),
  key: Key,
  value: z.unknown(),
  ...dataOptions,
});
export const ReadRequest = z.object({ ...base, op: z.literal('read'), key: Key, ...dataOptions });
export const UpdateRequest = z.object({
  ...base,
  op: z.literal('update'),
  key: Key,
  value: z.unknown(),
  ...dataOptions,
});
export const DeleteRequest = z.object({ ...base, op: z.literal('delete'), key: Key, ...dataOptions });
/**
 * Extension (not in SPEC): this node's own copy of a key, answered as one replica, without asking any
 * other node and without read repair. RingClient's quorum reads ask `readQuorum` replicas this way at
 * once and accept the answer only when every one of them holds the same write (docs/CLIENT.md). With
 * `digest: true` the answer names the write without carrying it (no `key`, `node` or `value`): the client
 * asks one replica for the value and the others for digests, which is all agreement needs.
 */
export const ReadReplicaRequest = z.object({
  ...base,
  op: z.literal('read_replica'),
  key: Key,
  digest: z.boolean().optional(),
});
export const GetNodeRequest = z.object({ ...base, op: z.literal('get_node'), key: Key });
export const AddNodeRequest = z.object({ ...base, op: z.literal('add_node'), node: NodeAddress });
export const RemoveNodeRequest = z.object({ ...base, op: z.literal('remove_node'), node: NodeAddress });
export const NodesRequest = z.object({ ...base, op: z.literal('nodes') });
export const RingRequest = z.object({ ...base, op: z.literal('ring') });
export const SubscribeRequest = z.object({
  ...base,
  op: z.literal('subscribe'),
  topics: z.array(Topic).min(1).max(3),
});
export const UnsubscribeRequest = z.object({
  ...base,
  op: z.literal('unsubscribe'),
  topics: z.array(Topic).max(3).optional(),
});

export const ClientRequest = z.discriminatedUnion('op', [
  CreateRequest,
  ReadRequest,
  UpdateRequest,
  DeleteRequest,
  ReadReplicaRequest,
  GetNodeRequest,
  AddNodeRequest,
  RemoveNodeRequest,
  NodesRequest,
  RingRequest,
  SubscribeRequest,
  UnsubscribeRequest,
]);
export type ClientRequest = z.infer<typeof ClientRequest>;
export type Op = ClientRequest['op'];
export const ops = [
  'create',
  'read',
  'update',
  'delete',
  'read_replica',
  'get_node',
  'add_node',
  'remove_node',
  'nodes',
  'ring',
  'subscribe',
  'unsubscribe',
] as const satisfies readonly Op[];
export const dataOps = ['create', 'read', 'update', 'delete'] as const satisfies readonly Op[];
export type DataOp = (typeof dataOps)[number];

export const Batch = z.array(z.unknown()).max(batchRequestsMax);

// --- Results: the bodies the HTTP API returns, and `result` in a WebSocket reply ------------------------

/**
 * A record's version: a hybrid logical clock reading (milliseconds * 2^12 + logical counter), a safe integer.
 * Newer writes have larger versions; ties between nodes break on the writer's id internally.
 */
export const Version = z.number().int().nonnegative();
export const RecordResult = z.object({ key: z.string(), value: z.unknown(), version: Version });
export type RecordResult = z.infer<typeof RecordResult>;
export const DeleteResult = z.object({ key: z.string(), deleted: z.literal(true) });
export type DeleteResult = z.infer<typeof DeleteResult>;
/**
 * A `read_replica` answer. `replica` says whether the node is one of the key's replicas in its ring (the
 * ring whose checksum is `ring`); only then does it report its copy: `version` and `writer` name the write
 * it holds (absent when it holds none), `value` is present for a live record, `deleted` for a tombstone.
 * A digest answer (`digest: true` in the request) has neither `key`, `node` nor `value`.
 */
export const ReplicaReadResult = z.object({
  key: z.string().optional(),
  node: z.string().optional(),
  ring: z.string(),
  replica: z.boolean(),
  version: Version.optional(),
  writer: z.string().optional(),
  value: z.unknown().optional(),
  deleted: z.literal(true).optional(),
});
export type ReplicaReadResult = z.infer<typeof ReplicaReadResult>;
export const GetNodeResult = z.object({ key: z.string(), node: z.string(), replicas: z.array(z.string()) });
export type GetNodeResult = z.infer<typeof GetNodeResult>;
export const AddNodeResult = z.object({ node: z.string(), nodes: z.array(z.string()) });
export type AddNodeResult = z.infer<typeof AddNodeResult>;
export const RemoveNodeResult = z.object({ node: z.string(), status: z.literal('leaving') });
export type RemoveNodeResult = z.infer<typeof RemoveNodeResult>;

export const RebalanceStatus = z.object({
  rangesPending: z.number().int().nonnegative(),
  keysMoved: z.number().int().nonnegative(),
  bytesMoved: z.number().int().nonnegative(),
  keysPerSecond: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
});
export type RebalanceStatus = z.infer<typeof RebalanceStatus>;

export const NodeInfo = z.object({
  id: z.string(),
  status: NodeStatus,
  keys: z.number().int().nonnegative().describe('records (excluding tombstones) this node stores'),
  bytes: z.number().int().nonnegative().optional(),
  incarnation: z.number().int().nonnegative().optional(),
  rebalance: RebalanceStatus.optional(),
});
export type NodeInfo = z.infer<typeof NodeInfo>;
export const NodesResult = z.object({ nodes: z.array(NodeInfo) });
export type NodesResult = z.infer<typeof NodesResult>;

export const RingToken = z.object({ token: z.number().int().nonnegative(), node: z.string() });
export const RingResult = z.object({
  epoch: z.number().int().nonnegative(),
  checksum: z.string().optional(),
  vnodes: z.number().int().positive(),
  replicationFactor: z.number().int().positive(),
  /** Extension (not in SPEC): the answers a quorum read and a quorum write need (clients plan with them). */
  readQuorum: z.number().int().positive().optional(),
  writeQuorum: z.number().int().positive().optional(),
  tokens: z.array(RingToken),
});
export type RingResult = z.infer<typeof RingResult>;

export const HealthResult = z.object({ status: z.literal('ok'), node: z.string() });
export type HealthResult = z.infer<typeof HealthResult>;
export const SubscribeResult = z.object({ topics: z.array(Topic) });
export type SubscribeResult = z.infer<typeof SubscribeResult>;

export interface ResultByOp {
  create: RecordResult;
  read: RecordResult;
  update: RecordResult;
  delete: DeleteResult;
  read_replica: ReplicaReadResult;
  get_node: GetNodeResult;
  add_node: AddNodeResult;
  remove_node: RemoveNodeResult;
  nodes: NodesResult;
  ring: RingResult;
  subscribe: SubscribeResult;
  unsubscribe: SubscribeResult;
}

export const ErrorBodySchema = z.object({
  code: z.enum(errorCodes as [string, ...string[]]),
  message: z.string(),
});
export const ErrorEnvelope = z.object({ error: ErrorBodySchema });

export const OkReply = z.object({ id: RequestId, ok: z.literal(true), result: z.unknown() });
export const ErrorReply = z.object({
  id: RequestId.nullable(),
  ok: z.literal(false),
  error: ErrorBodySchema,
});
export const ClientReply = z.union([OkReply, ErrorReply]);
export type ClientReply = z.infer<typeof ClientReply>;

// --- Events pushed to subscribers --------------------------------------------------------------------

export const OpStats = z.object({
  opsPerSecond: z.number().nonnegative(),
  p50Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
});
export const NodeStats = z.object({
  node: z.string(),
  at: z.number().describe('unix milliseconds when the sample was taken'),
  keys: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  ops: z.record(z.string(), OpStats).describe('per operation: create, read, update, delete, read_replica'),
  forwarded: z.number().int().nonnegative().describe('requests this node forwarded to a coordinator, total'),
  rebalance: RebalanceStatus.optional(),
});
export type NodeStats = z.infer<typeof NodeStats>;
export const StatsEvent = z.object({ nodes: z.array(NodeStats) });
export type StatsEvent = z.infer<typeof StatsEvent>;

export const DashboardEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ring'), data: RingResult }),
  z.object({ event: z.literal('nodes'), data: NodesResult }),
  z.object({ event: z.literal('stats'), data: StatsEvent }),
]);
export type DashboardEvent = z.infer<typeof DashboardEvent>;

/** The HTTP body of create and update. */
export const ValueBody = z.object({ value: z.unknown() });
