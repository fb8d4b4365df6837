/**
 * What the client-facing edges (HTTP, WebSocket, CLI through them) need from a node. The API layer in
 * `io/` only decodes, authorises and encodes; every decision is behind this interface. A single node and a
 * clustered node implement it the same way, so the edges do not change when the cluster does.
 *
 * Values cross this interface as JSON text (`valueJson`), never re-parsed on the way through.
 */
import type {
  AddNodeResult,
  Consistency,
  DeleteResult,
  GetNodeResult,
  NodeStats,
  NodesResult,
  RemoveNodeResult,
  RingResult,
} from '@ringkv/protocol';
import type { ReplicaRead } from './core/replica.js';

export type { ReplicaRead };

export interface RecordReply {
  key: string;
  valueJson: string;
  version: number;
}

export type NodeEvent =
  | { topic: 'ring'; data: RingResult }
  | { topic: 'nodes'; data: NodesResult }
  | { topic: 'stats'; data: { nodes: NodeStats[] } };

export interface NodeApi {
  readonly nodeId: string;
  /** Each rejects with a RingKvError carrying a SPEC code (KEY_EXISTS, KEY_NOT_FOUND, UNAVAILABLE, ...). */
  create(key: string, valueJson: string, consistency: Consistency): Promise<RecordReply>;
  read(key: string, consistency: Consistency): Promise<RecordReply>;
  update(key: string, valueJson: string, consistency: Consistency): Promise<RecordReply>;
  delete(key: string, consistency: Consistency): Promise<DeleteResult>;
  /** This node's copy of `key`, from its store alone: no other node is asked, nothing is repaired. */
  readReplica(key: string): ReplicaRead;
  getNode(key: string): GetNodeResult;
  addNode(node: string): Promise<AddNodeResult>;
  removeNode(node: string): Promise<RemoveNodeResult>;
  nodes(): NodesResult;
  ring(): RingResult;
  /** True while the node serves requests (GET /health answers 503 otherwise). */
  serving(): boolean;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
}
