/**
 * Single-round conditional writes (docs/PROTOCOL.md, "Single-round writes"). A create, update or delete
 * takes two rounds in general: a quorum read decides its condition (does the key exist?), then the write
 * goes to every replica. When the coordinator is a replica itself, reads need two answers, writes at most
 * two, and the coordinator's own record already satisfies the condition, it sends the write to the other
 * replicas at once, each to apply it only if it holds exactly the coordinator's record:
 * - one replica that applies it is, with the coordinator, a read quorum holding the same record (so the
 *   condition holds) and, once the coordinator's own store has it, the write quorum: one round;
 * - if none applies, the records the refusing replicas hold and the coordinator's are a read quorum, and
 *   the coordinator decides on them exactly as the two-round path would (writing a new version in a second
 *   round if the condition holds after all).
 * So nothing is applied anywhere unless a read quorum satisfies the condition: a refused update cannot
 * bring a deleted key back. A replica that did not answer may have applied the write; if the others then
 * say the condition fails, the coordinator cannot tell, and answers TIMEOUT (which tells the client the
 * write may have been applied) rather than KEY_NOT_FOUND or KEY_EXISTS.
 */
import { type Consistency, RingKvError } from '@ringkv/protocol';
import { ConditionalRound, type NotApplied, type RoundDecision } from './conditional-round.js';
import type { CoordinatorDeps, DataOp } from './coordinator.js';
import { requiredAnswers } from './quorum.js';
import type { ReplicaUpkeep } from './replica-upkeep.js';
import { writeOwnCopy } from './store-write.js';
import { compareRecords, describeKey, type NodeId, type StoredRecord } from './types.js';

export type WriteOp = Exclude<DataOp, 'read'>;

/** The write was decided and written in one round, or the read quorum to decide it on (`current`). */
export type SingleRoundOutcome = { written: StoredRecord } | { current: StoredRecord | undefined };

export interface SingleRoundStats {
  /** Writes decided and written in one round. */
  singleRoundWrites: number;
  /** Attempts that no replica applied: decided on the replicas' answers instead. */
  singleRoundRefused: number;
}

/** Whether `op`'s condition holds against `record` (the newest of a read quorum, or this node's own). */
export function conditionHolds(op: WriteOp, record: StoredRecord | undefined): boolean {
  const exists = record !== undefined && record.valueJson !== null;
  return op === 'create' ? !exists : exists;
}

/** KEY_EXISTS or KEY_NOT_FOUND: the error for `op` when its condition does not hold. */
export function conditionError(op: WriteOp, key: string): RingKvError {
  return op === 'create'
    ? new RingKvError('KEY_EXISTS', `key ${describeKey(key)} already exists; use update to change it`)
    : new RingKvError('KEY_NOT_FOUND', `key ${describeKey(key)} does not exist`);
}

const noNodes: readonly NodeId[] = Object.freeze([]);

/** `replicas` without `self` and without those not live, as a new array (one loop, no callback per node). */
function otherLiveReplicas(
  replicas: readonly NodeId[],
  self: NodeId,
  placement: CoordinatorDeps['placement'],
): NodeId[] {
  const others: NodeId[] = [];
  for (let index = 0; index < replicas.length; index++) {
    const node = replicas[index]!;
    if (node !== self && placement.isLive(node)) others.push(node);
  }
  return others;
}

export function newestOf(records: ReadonlyArray<StoredRecord | undefined>): StoredRecord | undefined {
  let newest: StoredRecord | undefined;
  for (const record of records) {
    if (record && (!newest || compareRecords(record, newest) > 0)) newest = record;
  }
  return newest;
}

export class SingleRoundWriter {
  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly upkeep: ReplicaUpkeep,
    private readonly stats: SingleRoundStats,
  ) {}

  /**
   * Tries `op` in one round; undefined when it cannot take one (see the file comment), and the caller
   * uses the quorum read and the write round. Rejects with UNAVAILABLE or TIMEOUT as a round would.
   */
  attempt(
    op: WriteOp,
    key: string,
    valueJson: string | undefined,
    consistency: Consistency,
    replicas: readonly NodeId[],
  ): Promise<SingleRoundOutcome> | undefined {
    const { self, config, placement, store, hlc } = this.deps;
    if (config.singleRoundWrites === false) return undefined;
    if (requiredAnswers(consistency, 'read', replicas.length, config) !== 2) return undefined;
    if (requiredAnswers(consistency, 'write', replicas.length, config) > 2) return undefined;
    if (!replicas.includes(self)) return undefined;
    const others = otherLiveReplicas(replicas, self, placement);
    if (others.length === 0) return undefined;
    let local: StoredRecord | undefined;
    try {
      local = store.get(key);
    } catch {
      // The two-round path reads (and fails) the local store again, and answers with that failure.
      return undefined;
    }
    // This node's record may be stale: only the quorum can say the condition fails.
    if (!conditionHolds(op, local)) return undefined;
    if (local) hlc.observe(local.version);
    // Joining nodes that will replicate the key, seen with the same ring as `replicas`: one that turns
    // alive before the decision is no longer "pending" then, yet is missing from `replicas`.
    const pendingAtStart = placement.pendingReplicas?.(key, replicas) ?? noNodes;
    const record: StoredRecord = {
      valueJson: op === 'delete' ? null : (valueJson ?? 'null'),
      version: hlc.now(),
      writer: self,
    };
    const expect = local ? { version: local.version, writer: local.writer } : null;
    // The callbacks are anonymous arrows: a named closure per write costs a `__name` under tsx.
    return new Promise<SingleRoundOutcome>((resolve, reject) => {
      const round = new ConditionalRound(
        others,
        record,
        this.deps.clock,
        config.replicaTimeoutMs,
        (decision) => {
          if (decision.kind === 'applied') {
            this.stats.singleRoundWrites++;
            try {
              resolve(this.writeLocally(key, record, replicas, pendingAtStart));
            } catch (error) {
              reject(error);
            }
            return;
          }
          this.stats.singleRoundRefused++;
          try {
            resolve({ current: this.decideRefused(op, key, local, decision) });
          } catch (error) {
            reject(error);
          }
        },
        (outcome) => this.followUp(outcome, key, record, replicas),
      );
      for (const node of others) this.deps.channel.writeReplicaIfTo(node, key, record, expect, round);
    });
  }

  /** A replica that did not apply a decided write still gets it (last-writer-wins keeps anything newer). */
  private followUp(
    outcome: NotApplied,
    key: string,
    record: StoredRecord,
    replicas: readonly NodeId[],
  ): void {
    if ('held' in outcome) this.upkeep.writePending(outcome.node, key, record, replicas);
    else void this.upkeep.hint(outcome.node, key, record, replicas);
  }

  /**
   * After a replica applied: hints and joining replicas as any write, then this node's store (the outcome
   * at once when the store has it durable at once, else once it does).
   */
  private writeLocally(
    key: string,
    record: StoredRecord,
    replicas: readonly NodeId[],
    pendingAtStart: readonly NodeId[],
  ): SingleRoundOutcome | Promise<SingleRoundOutcome> {
    for (const node of replicas) {
      if (node !== this.deps.self && !this.deps.placement.isLive(node)) {
        void this.upkeep.hint(node, key, record, replicas);
      }
    }
    // Joining replicas as the ring was when the write started and as it is now (either may have changed);
    // none at all but while a node joins, and then no set is built.
    const pendingNow = this.deps.placement.pendingReplicas?.(key, replicas) ?? noNodes;
    if (pendingAtStart.length > 0 || pendingNow.length > 0) {
      for (const node of new Set([...pendingAtStart, ...pendingNow])) {
        this.upkeep.writePending(node, key, record, replicas);
      }
    }
    const written = { written: record };
    const durable = writeOwnCopy(this.deps.store, key, record, (cause) => localWriteFailed(key, cause));
    return durable === undefined ? written : durable.then(() => written);
  }

  /** No replica applied: the newest of the answers decides, unless a silent replica may hold the write. */
  private decideRefused(
    op: WriteOp,
    key: string,
    local: StoredRecord | undefined,
    decision: Extract<RoundDecision, { kind: 'refused' }>,
  ): StoredRecord | undefined {
    const what = `write of ${describeKey(key)}`;
    if (decision.held.length === 0) {
      const message = `${what}: 1 of the 2 replicas needed answered; the write may have been applied on one that did not`;
      throw new RingKvError(decision.timedOut ? 'TIMEOUT' : 'UNAVAILABLE', message);
    }
    const newest = newestOf([local, ...decision.held]);
    if (!conditionHolds(op, newest) && decision.unknown > 0) {
      const message = `${what}: a replica holds a newer write, and ${decision.unknown} did not answer; the write may have been applied there`;
      throw new RingKvError('TIMEOUT', message);
    }
    if (newest) this.deps.hlc.observe(newest.version);
    return newest;
  }
}

function localWriteFailed(key: string, cause: unknown): RingKvError {
  const message = `write of ${describeKey(key)}: this node's store failed after another replica applied it`;
  return new RingKvError('UNAVAILABLE', message, { cause });
}
