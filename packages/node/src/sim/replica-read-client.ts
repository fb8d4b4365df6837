/**
 * A simulated client's quorum read done as RingClient does it (packages/client/src/replica-reads.ts):
 * from the ring and node statuses of the node it is connected to, the first `readQuorum` live replicas of
 * the key are asked for their own copy (`DataNode.readAsReplica`, what `read_replica` answers), and the
 * answers count only when the shared rule (`agreedRecord` in @ringkv/protocol) says they agree. Anything
 * else is `undefined`: the caller then reads through the coordinator, as the client does.
 *
 * The replicas are read directly, at one instant (the read's start and end): a client can reach nodes on
 * both sides of a partition between nodes. A replica that is down is a failed request, as for the client.
 */
import {
  agreedRecord,
  type Consistency,
  type ReplicaReadResult,
  replicaAnswersNeeded,
} from '@ringkv/protocol';
import type { StoredRecord } from '../core/types.js';
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
  const records = new Map<string, StoredRecord | undefined>();
  const answers: ReplicaReadResult[] = asked.map((id) => {
    const answer = cluster.node(id).data.readAsReplica(key);
    records.set(id, answer.record);
    const base = { key, node: id, ring: answer.ringChecksum, replica: answer.replica };
    const record = answer.record;
    if (!answer.replica || record === undefined) return base;
    const write = { ...base, version: record.version, writer: record.writer };
    return record.valueJson === null
      ? { ...write, deleted: true as const }
      : { ...write, value: record.valueJson };
  });
  const agreement = agreedRecord(key, answers, ring.checksum);
  if (agreement === undefined || agreement === 'missing') return agreement;
  return { record: records.get(asked[0]!)! };
}
