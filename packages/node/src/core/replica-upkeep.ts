/**
 * What a coordinator leaves behind after answering (docs/PROTOCOL.md, "Hinted handoff" and read repair):
 * hints for replicas that missed a write, writes to joining future replicas, and read repair of replicas
 * that answered a quorum read with an older record or none. Runs detached from the client's operation:
 * nothing here rejects; what it could not do is counted in the coordinator's stats.
 */
import { limits } from '@ringkv/protocol';
import type { CoordinatorDeps } from './coordinator.js';
import type { QuorumResult } from './quorum.js';
import { compareRecords, type NodeId, type StoredRecord } from './types.js';

export interface UpkeepStats {
  readRepairs: number;
  readRepairsSkipped: number;
  hintsStored: number;
  hintsDropped: number;
  hintHolderFailures: number;
}

export class ReplicaUpkeep {
  private repairsInflight = 0;

  constructor(
    private readonly deps: Omit<CoordinatorDeps, 'clock' | 'hlc'>,
    private readonly stats: UpkeepStats,
  ) {}

  /** A write to a joining future replica: not awaited; a failure leaves a hint for it, as for a replica. */
  writePending(node: NodeId, key: string, record: StoredRecord, replicas: readonly NodeId[]): void {
    const write =
      node === this.deps.self
        ? this.deps.store.put(key, record)
        : this.deps.channel.writeReplica(node, key, record);
    write.catch(() => this.hint(node, key, record, replicas));
  }

  /**
   * Keeps `record` for `owner`: first on the next live node clockwise beyond the key's replicas (sloppy
   * quorum's hint-holder); when there is none or it does not answer, in this node's own store.
   */
  async hint(owner: NodeId, key: string, record: StoredRecord, replicas: readonly NodeId[]): Promise<void> {
    if (this.deps.config.hints === false) return;
    const ring = this.deps.placement.ring();
    const candidates = ring.preferenceList(key, replicas.length + limits.replicationFactorMax);
    const holder = candidates.find(
      (node) => !replicas.includes(node) && node !== this.deps.self && this.deps.placement.isLive(node),
    );
    if (holder) {
      try {
        await this.deps.channel.writeReplica(holder, key, record, owner);
        this.stats.hintsStored++;
        return;
      } catch {
        // The holder failed too: keep the hint here instead (below), so it is not lost.
        this.stats.hintHolderFailures++;
      }
    }
    // Runs detached from the client's operation: it must never reject, only count what it could not keep.
    const kept = await this.deps.store.putHint({ target: owner, key, record }).catch(() => false);
    if (kept) this.stats.hintsStored++;
    else this.stats.hintsDropped++;
  }

  repairAfterRead(key: string, results: ReadonlyArray<QuorumResult<StoredRecord | undefined>>): void {
    if (this.deps.config.readRepair === false) return;
    let newest: StoredRecord | undefined;
    for (const result of results) {
      if ('value' in result && result.value && (!newest || compareRecords(result.value, newest) > 0)) {
        newest = result.value;
      }
    }
    if (!newest) return;
    for (const result of results) {
      if (!('value' in result)) continue;
      const { node, value } = result;
      if (value && compareRecords(value, newest) >= 0) continue;
      if (this.repairsInflight >= limits.readRepairsInflightMax) {
        this.stats.readRepairsSkipped++;
        continue;
      }
      this.repairsInflight++;
      this.stats.readRepairs++;
      const done = () => {
        this.repairsInflight--;
      };
      const write =
        node === this.deps.self
          ? this.deps.store.put(key, newest)
          : this.deps.channel.writeReplica(node, key, newest);
      // A failed repair is not an error: the next read, a hint or anti-entropy repairs it later.
      write.then(done, done);
    }
  }
}

export function newestAnswer(
  answers: ReadonlyArray<{ value: StoredRecord | undefined }>,
): StoredRecord | undefined {
  let newest: StoredRecord | undefined;
  for (const { value } of answers) {
    if (value && (!newest || compareRecords(value, newest) > 0)) newest = value;
  }
  return newest;
}
