/**
 * How a client reads the answers of `read_replica` (the extension RingClient's quorum reads use): the
 * replicas asked agree when every answer comes from a replica of the key on the client's ring and names
 * the same write. Pure; shared by the client (packages/client/src/replica-reads.ts) and the node's
 * simulator, which checks the rule against partitions and crashes.
 *
 * Why agreement is enough: a write that succeeded is on `writeQuorum` of the key's replicas; with
 * readQuorum + writeQuorum > replicationFactor any `readQuorum` replicas include one of them, so replicas
 * that all hold the same write hold that write or a newer one.
 */
import type { Consistency, RecordResult, ReplicaReadResult } from './messages.js';

/** The agreed answer of every replica asked: a record, `missing` (none, or a tombstone), or `undefined`: ask the coordinator. */
export type ReplicaAgreement = RecordResult | 'missing' | undefined;

/**
 * What `answers` agree on, when each is a replica answer on the ring `ringChecksum` and they all hold the
 * same write (same version and writer), or all hold none. Pure; the rule the module comment argues for.
 * Digest answers (no `key`, no `value`) count for agreement; the value comes from a full answer, and
 * without one a live record is not agreed on (the coordinator answers).
 */
export function agreedRecord(
  key: string,
  answers: readonly ReplicaReadResult[],
  ringChecksum: string,
): ReplicaAgreement {
  const first = answers[0];
  if (first === undefined) return undefined;
  let full: ReplicaReadResult | undefined;
  for (const answer of answers) {
    if (!answer.replica || answer.ring !== ringChecksum) return undefined;
    if (answer.version !== first.version || answer.writer !== first.writer) return undefined;
    if ((answer.deleted === true) !== (first.deleted === true)) return undefined;
    if (answer.key !== undefined) {
      if (answer.key !== key) return undefined;
      if (full === undefined && 'value' in answer) full = answer;
    }
  }
  if (first.version === undefined || first.deleted === true) return 'missing';
  if (full === undefined) return undefined;
  return { key, value: full.value, version: first.version };
}

/**
 * How many answers `consistency` needs among `replicas` replicas, with `quorum` the configured read (or
 * write) quorum: the nodes' rule too (core/quorum.ts `requiredAnswers` calls this).
 */
export function replicaAnswersNeeded(consistency: Consistency, replicas: number, readQuorum: number): number {
  if (consistency === 'one') return 1;
  if (consistency === 'all') return Math.max(1, replicas);
  return Math.max(1, Math.min(readQuorum, replicas));
}
