/**
 * Quorum arithmetic and the "k of n answers within a deadline" wait the coordinator uses for reads and
 * writes. Pure: the deadline is a timer on the injected Clock.
 */
import { type Consistency, RingKvError, replicaAnswersNeeded } from '@ringkv/protocol';
import type { Clock, TimerHandle } from './types.js';

export interface ReplicationConfig {
  replicationFactor: number;
  readQuorum: number;
  writeQuorum: number;
  /** How long a coordinator waits for replicas before answering TIMEOUT. */
  replicaTimeoutMs: number;
  /** Repair stale replicas after reads (default true; the anti-entropy simulator switches it off). */
  readRepair?: boolean;
  /** Keep hints for replicas that miss writes (default true; the anti-entropy simulator switches it off). */
  hints?: boolean;
  /** Decide and write creates, updates and deletes in one round where possible (single-round-write.ts; default true). */
  singleRoundWrites?: boolean;
}

/**
 * Answers needed for `consistency` when the key has `replicas` replicas. A cluster smaller than the
 * replication factor has fewer replicas per key; the quorum shrinks with it (never below 1, never above
 * the replicas there are), so a one-node cluster answers exactly like a single node.
 */
export function requiredAnswers(
  consistency: Consistency,
  kind: 'read' | 'write',
  replicas: number,
  config: Pick<ReplicationConfig, 'readQuorum' | 'writeQuorum'>,
): number {
  // The same rule RingClient plans its reads from the replicas with (@ringkv/protocol, replica-read.ts).
  return replicaAnswersNeeded(
    consistency,
    replicas,
    kind === 'read' ? config.readQuorum : config.writeQuorum,
  );
}

export type QuorumResult<T> = { node: string; value: T } | { node: string; error: unknown };

export interface QuorumOutcome<T> {
  /** Successful answers in arrival order (at least `required` of them). */
  answers: Array<{ node: string; value: T }>;
  /** Every answer, success or failure, once all have settled or the deadline passed. */
  settled: Promise<Array<QuorumResult<T>>>;
}

/**
 * One "k of n answers within a deadline" round, fed by callbacks (it is the `AnswerSink` of each attempt:
 * no promise per attempt). `onDecided` runs once: without an error as soon as `required` answers are in,
 * with UNAVAILABLE when so many failed that the quorum cannot be reached (TIMEOUT if any of those failures
 * was a timeout), or TIMEOUT at the deadline. `onSettled` runs once, when every attempt has answered or at
 * the deadline, whichever is first (read repair looks at `results` then).
 */
export class QuorumRound<T> {
  /** Successful answers in arrival order. */
  readonly answers: Array<{ node: string; value: T }> = [];
  /** Every answer so far, success or failure. */
  readonly results: Array<QuorumResult<T>> = [];
  private failures = 0;
  private timedOut = false;
  private decided = false;
  private settled = false;
  private readonly timer: TimerHandle;

  constructor(
    private readonly attempts: number,
    private readonly required: number,
    clock: Clock,
    private readonly timeoutMs: number,
    /** What the round is for, in error messages (built only when one is needed). */
    private readonly what: () => string,
    private readonly onDecided: (error: RingKvError | undefined) => void,
    private readonly onSettled?: () => void,
  ) {
    this.timer = clock.setTimer(timeoutMs, () => this.expire());
  }

  answer(node: string, value: T): void {
    const entry = { node, value };
    this.answers.push(entry);
    this.results.push(entry);
    this.check();
  }

  fail(node: string, error: unknown): void {
    this.failures++;
    if (error instanceof RingKvError && error.code === 'TIMEOUT') this.timedOut = true;
    this.results.push({ node, error });
    this.check();
  }

  /** Decides (and settles) if the answers so far allow it; the attempts call it through answer/fail. */
  check(): void {
    if (this.results.length === this.attempts && !this.settled) {
      this.timer.cancel();
      this.settle();
    }
    if (this.decided) return;
    if (this.answers.length >= this.required) {
      this.decided = true;
      this.onDecided(undefined);
    } else if (this.failures > this.attempts - this.required) {
      this.decided = true;
      const code = this.timedOut ? 'TIMEOUT' : 'UNAVAILABLE';
      const message = `${this.what()}: ${this.answers.length} replicas answered; ${this.required} needed`;
      this.onDecided(new RingKvError(code, message));
    }
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled?.();
  }

  private expire(): void {
    this.settle();
    if (this.decided) return;
    this.decided = true;
    const message = `${this.what()}: ${this.answers.length} of ${this.required} replicas answered in ${this.timeoutMs} ms`;
    this.onDecided(new RingKvError('TIMEOUT', message));
  }
}

/** The promise form of a QuorumRound over promised attempts. */
export function awaitQuorum<T>(
  attempts: ReadonlyArray<{ node: string; answer: Promise<T> }>,
  required: number,
  clock: Clock,
  timeoutMs: number,
  what: string,
): Promise<QuorumOutcome<T>> {
  let finishSettled: (results: Array<QuorumResult<T>>) => void = () => {};
  const settled = new Promise<Array<QuorumResult<T>>>((resolve) => {
    finishSettled = resolve;
  });
  return new Promise<QuorumOutcome<T>>((resolve, reject) => {
    const round: QuorumRound<T> = new QuorumRound<T>(
      attempts.length,
      required,
      clock,
      timeoutMs,
      () => what,
      (error) => (error ? reject(error) : resolve({ answers: [...round.answers], settled })),
      () => finishSettled(round.results),
    );
    for (const { node, answer } of attempts) {
      answer.then(
        (value) => round.answer(node, value),
        (error: unknown) => round.fail(node, error),
      );
    }
    round.check();
  });
}
