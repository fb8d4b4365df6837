/**
 * Replication checkers over a workload's history and the replicas' stores (SPEC 5):
 * - freshness: with r + w > rf, a successful quorum read returns a version at least as new as the newest
 *   acknowledged write that finished before the read began;
 * - durability: after healing and hint delivery, every replica of a key holds the newest acknowledged
 *   write of that key, or something newer (so no acknowledged write is lost, and each replica has it);
 * - the ring: every running node reports the same ring checksum.
 * Each returns a description of the first violation, or undefined.
 */
import { compareRecords, type NodeId } from '../core/types.js';
import type { SimCluster } from './harness.js';
import type { ReplicationSimNode } from './replication-node.js';
import type { OpRecord } from './workload.js';

type Acked = OpRecord & { version: number; writer: NodeId; endMs: number };

function isAckedWrite(record: OpRecord): record is Acked {
  return record.op !== 'read' && record.outcome === 'ok' && record.version !== undefined;
}

function newest(records: readonly Acked[]): Acked | undefined {
  let best: Acked | undefined;
  for (const record of records) if (!best || compareRecords(record, best) > 0) best = record;
  return best;
}

function describe(record: OpRecord): string {
  const result =
    record.outcome === 'ok'
      ? `v${record.version}/${record.writer}`
      : `${record.outcome} ${record.code ?? ''}`;
  return `${record.op} ${record.key} ${record.valueJson ?? ''} via ${record.node} [${record.startMs}..${record.endMs}] -> ${result}`;
}

/** Acknowledged writes per key. */
export function ackedWritesByKey(history: readonly OpRecord[]): Map<string, Acked[]> {
  const byKey = new Map<string, Acked[]>();
  for (const record of history) {
    if (!isAckedWrite(record)) continue;
    byKey.set(record.key, [...(byKey.get(record.key) ?? []), record]);
  }
  return byKey;
}

/** A delete that may have applied (anything but a refusal that proves it did not) started before `untilMs`. */
function deleteMayPrecede(history: readonly OpRecord[], key: string, untilMs: number): boolean {
  return history.some(
    (record) =>
      record.op === 'delete' &&
      record.key === key &&
      record.startMs < untilMs &&
      record.code !== 'KEY_NOT_FOUND',
  );
}

export function checkReadFreshness(history: readonly OpRecord[]): {
  violation?: string;
  readsChecked: number;
} {
  const acked = ackedWritesByKey(history);
  let readsChecked = 0;
  for (const read of history) {
    if (read.op !== 'read' || read.consistency !== 'quorum' || read.endMs === undefined) continue;
    const found = read.outcome === 'ok';
    if (!found && read.code !== 'KEY_NOT_FOUND') continue;
    const before = (acked.get(read.key) ?? []).filter((write) => write.endMs < read.startMs);
    const last = newest(before);
    readsChecked++;
    if (!last) continue;
    if (found) {
      const seen = { version: read.version!, writer: read.writer! };
      if (compareRecords(seen, last) < 0) {
        return {
          violation: `stale read: ${describe(read)}; last acknowledged before it: ${describe(last)}`,
          readsChecked,
        };
      }
    } else if (last.op !== 'delete' && !deleteMayPrecede(history, read.key, read.endMs)) {
      return {
        violation: `read found nothing after an acknowledged write: ${describe(read)}; write: ${describe(last)}`,
        readsChecked,
      };
    }
  }
  return { readsChecked };
}

/** Replicas (key, node) that lack the newest acknowledged write of the key; the first few described. */
export function replicasMissingAckedWrites(
  cluster: SimCluster<ReplicationSimNode>,
  history: readonly OpRecord[],
  replicationFactor: number,
): { missing: number; examples: string[] } {
  const observer = cluster.node(cluster.running()[0]!);
  const ring = observer.membership.ring();
  let missing = 0;
  const examples: string[] = [];
  for (const [key, writes] of ackedWritesByKey(history)) {
    const last = newest(writes)!;
    for (const replica of ring.preferenceList(key, replicationFactor)) {
      const held = cluster.node(replica).store.get(key);
      if (held && compareRecords(held, last) >= 0) continue;
      missing++;
      if (examples.length < 3) {
        examples.push(
          `${replica} holds ${held ? `v${held.version}/${held.writer}` : 'nothing'} for ${describe(last)}`,
        );
      }
    }
  }
  return { missing, examples };
}

/** Running nodes whose ring checksum differs from the first's, described; undefined when all agree. */
export function ringDivergence(cluster: SimCluster<ReplicationSimNode>): string | undefined {
  const running = cluster.running();
  const views = running.map((id) => {
    const membership = cluster.node(id).membership;
    const notAlive = membership.members().filter((member) => member.status !== 'alive');
    return { id, checksum: membership.checksum(), notAlive: notAlive.map((m) => `${m.id}=${m.status}`) };
  });
  const first = views[0];
  if (!first) return 'no running node';
  for (const view of views) {
    if (view.checksum !== first.checksum)
      return `${view.id} has ring ${view.checksum}, ${first.id} has ${first.checksum}`;
    if (view.notAlive.length > 0) return `${view.id} sees ${view.notAlive.join(', ')}`;
  }
  return undefined;
}

/** A create or update refused by its condition: SPEC says it changed nothing. */
export function isRefusedWrite(record: OpRecord): boolean {
  return (
    (record.op === 'create' || record.op === 'update') &&
    record.outcome === 'error' &&
    (record.code === 'KEY_NOT_FOUND' || record.code === 'KEY_EXISTS')
  );
}

/**
 * No refused write is ever visible: no read returns, and no replica holds, the value of a create or update
 * that was answered KEY_EXISTS or KEY_NOT_FOUND (every written value is unique). Single-round writes send a
 * write before its condition is decided; this is the check that a refused one was applied nowhere (say, an
 * update of a deleted key, which last-writer-wins would otherwise bring back).
 */
export function refusedWriteVisible(
  cluster: SimCluster<ReplicationSimNode>,
  history: readonly OpRecord[],
): string | undefined {
  const refused = new Map<string, OpRecord>();
  for (const record of history) {
    if (isRefusedWrite(record) && record.valueJson !== undefined) refused.set(record.valueJson, record);
  }
  for (const read of history) {
    if (read.op !== 'read' || read.outcome !== 'ok' || !read.resultValueJson) continue;
    const write = refused.get(read.resultValueJson);
    if (write) return `a read saw a refused write: ${describe(read)}; the write: ${describe(write)}`;
  }
  for (const id of cluster.ids()) {
    const store = cluster.node(id).store;
    for (const write of refused.values()) {
      const held = store.get(write.key);
      if (held?.valueJson === write.valueJson) return `${id} holds a refused write: ${describe(write)}`;
    }
  }
  return undefined;
}
