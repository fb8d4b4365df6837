/**
 * A simulated client's quorum read done as RingClient does it (packages/client/src/replica-reads.ts):
 * from the ring and node statuses of the node it is connected to, the first `readQuorum` live replicas of
 * the key are asked for their own copy (`DataNode.readAsReplica`, what `read_replica` answers: the first
 * for the write itself, the others for a digest of it, as the client asks them), and the
 * answers count only when the shared rule (`agreedRecord` in @ringkv/protocol) says they agree. Anything
 * else is `undefined`: the caller then reads through the coordinator, as the client does.
 *
 * Each answer goes through the node's own reply text (`replicaReadResultText`) and JSON.parse, so the rule
 * sees exactly what a client receives. The replicas are read directly, at one instant (the read's start
 * and end): a client can reach nodes on both sides of a partition between nodes. A replica that is down
 * is a failed request, as for the client.
 */
import {
  agreedRecord,
  type Consistency,
  type ReplicaReadResult,
  replicaAnswersNeeded,
} from '@ringkv/protocol';
import type { StoredRecord } from '../core/types.js';
import { replicaReadResultText } from '../io/replies.js';
import type { SimCluster } from './harness.js';
import type { ReplicationSimNode } from './replication-node.js';

export type SimReplicaRead = { record: StoredRecord } | 'missing' | undefined;

export function replicaRead(
  cluster: SimCluster<ReplicationSimNode>,
  home: string,
  key: string,
  consistency: Consistency,
  quorum: { replicationFactor: number; readQuorum: number },
): SimReplicaRead {
  const view = cluster.node(home).membership;
  const ring = view.ring();
  const replicas = ring.preferenceList(key, quorum.replicationFactor);
  const needed = replicaAnswersNeeded(consistency, replicas.length, quorum.readQuorum);
  if (needed < 2) return undefined;
  const asked = replicas
    .filter((id) => {
      const status = view.member(id)?.status;
      return status !== 'suspect' && status !== 'dead';
    })
    .slice(0, needed);
  if (asked.length < needed || asked.some((id) => !cluster.isRunning(id))) return undefined;
  // Each answer as the node sends it over the WebSocket (the same text builder), parsed as the client does.
  const reads = asked.map((id) => cluster.node(id).data.readAsReplica(key));
  const answers = reads.map(
    (read, index) =>
      JSON.parse(replicaReadResultText(key, asked[index]!, read, index > 0)) as ReplicaReadResult,
  );
  const agreement = agreedRecord(key, answers, ring.checksum);
  if (agreement === undefined || agreement === 'missing') return agreement;
  return { record: reads[0]!.record! };
}
