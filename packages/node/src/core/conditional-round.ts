/**
 * The round of one single-round conditional write (single-round-write.ts): the write went to every other
 * live replica at once, each to be applied only if that replica holds the coordinator's own record. The
 * round decides once:
 * - `applied` as soon as one replica applied it (that replica and the coordinator hold the same record: a
 *   read quorum of two that satisfies the condition);
 * - `refused` when none applied and none can any more: every replica refused (with the record it holds)
 *   or failed, or the deadline passed. `unknown` counts replicas whose outcome is not known (they failed,
 *   or did not answer in time): they may have applied the write.
 * A replica that refuses because it already holds the very write sent (a retried or duplicated request)
 * counts as applied. After `applied`, each replica that refused or failed (before or after the decision, or at the deadline)
 * is handed to `followUp`, which still owes it the write. Pure: the deadline is a timer on the Clock.
 */
import { RingKvError } from '@ringkv/protocol';
import type { AnswerSink, ConditionalAnswer } from './replica-batch.js';
import { assert, type Clock, type NodeId, type StoredRecord, sameWrite, type TimerHandle } from './types.js';

export type RoundDecision =
  | { kind: 'applied'; by: NodeId }
  | {
      kind: 'refused';
      /** What each refusing replica holds (undefined: nothing), in arrival order. */
      held: Array<StoredRecord | undefined>;
      /** Replicas that failed or did not answer: they may hold the write. */
      unknown: number;
      /** Whether any of those timed out (the error code to give: TIMEOUT rather than UNAVAILABLE). */
      timedOut: boolean;
    };

/** A replica that did not apply the write: it refused (holding `held`) or failed with `error`. */
export type NotApplied = { node: NodeId; held: StoredRecord | undefined } | { node: NodeId; error: unknown };

export class ConditionalRound implements AnswerSink<ConditionalAnswer> {
  private readonly notApplied: NotApplied[] = [];
  /** Bit i: `replicas[i]` has answered (a replica list is at most a replication factor long). */
  private answeredMask = 0;
  private answeredCount = 0;
  private decision: RoundDecision | undefined;
  private readonly timer: TimerHandle;

  constructor(
    private readonly replicas: readonly NodeId[],
    /** The write sent: a replica that refuses because it holds this very write has applied it before. */
    private readonly record: StoredRecord,
    clock: Clock,
    private readonly timeoutMs: number,
    private readonly onDecided: (decision: RoundDecision) => void,
    private readonly followUp: (outcome: NotApplied) => void,
  ) {
    assert(
      replicas.length <= 30,
      'a conditional round has at most 30 replicas (one bit each; rf is at most 7)',
    );
    this.timer = clock.setTimer(timeoutMs, () => this.expire());
  }

  answer(node: NodeId, value: ConditionalAnswer): void {
    if (!this.settle(node)) return;
    if (value === true || sameWrite(value.held, this.record)) {
      if (!this.decision) this.decide({ kind: 'applied', by: node });
    } else this.keep({ node, held: value.held });
    this.checkRefused();
  }

  fail(node: NodeId, error: unknown): void {
    if (!this.settle(node)) return;
    this.keep({ node, error });
    this.checkRefused();
  }

  /** Counts `node`'s first answer; false for a repeated or unexpected one. */
  private settle(node: NodeId): boolean {
    const index = this.replicas.indexOf(node);
    if (index < 0 || this.answeredMask & (1 << index)) return false;
    this.answeredMask |= 1 << index;
    this.answeredCount++;
    if (this.answeredCount === this.replicas.length) this.timer.cancel();
    return true;
  }

  private keep(outcome: NotApplied): void {
    if (this.decision?.kind === 'applied') this.followUp(outcome);
    else if (!this.decision) this.notApplied.push(outcome);
    // After `refused` (at the deadline) a late answer changes nothing: the caller has moved on.
  }

  private checkRefused(): void {
    if (this.decision || this.answeredCount < this.replicas.length) return;
    this.decide(this.refusal(0));
  }

  private refusal(pending: number): RoundDecision {
    const held: Array<StoredRecord | undefined> = [];
    let unknown = pending;
    let timedOut = pending > 0;
    for (const outcome of this.notApplied) {
      if ('held' in outcome) held.push(outcome.held);
      else {
        unknown++;
        if (outcome.error instanceof RingKvError && outcome.error.code === 'TIMEOUT') timedOut = true;
      }
    }
    return { kind: 'refused', held, unknown, timedOut };
  }

  private decide(decision: RoundDecision): void {
    this.decision = decision;
    this.onDecided(decision);
    if (decision.kind !== 'applied') return;
    for (const outcome of this.notApplied.splice(0)) this.followUp(outcome);
  }

  private expire(): void {
    const pending = this.replicas.filter((_, index) => !(this.answeredMask & (1 << index)));
    if (!this.decision) {
      this.decide(this.refusal(pending.length));
      return;
    }
    if (this.decision.kind !== 'applied') return;
    this.answeredMask = (1 << this.replicas.length) - 1;
    this.answeredCount = this.replicas.length;
    for (const node of pending) {
      this.followUp({
        node,
        error: new RingKvError('TIMEOUT', `${node} did not answer a write in ${this.timeoutMs} ms`),
      });
    }
  }
}
