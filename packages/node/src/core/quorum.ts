/**
 * Quorum arithmetic and the "k of n answers within a deadline" wait the coordinator uses for reads and
 * writes. Pure: the deadline is a timer on the injected Clock.
 */
import { type Consistency, RingKvError } from '@ringkv/protocol';
import type { Clock } from './types.js';

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
  if (consistency === 'one') return 1;
  if (consistency === 'all') return Math.max(1, replicas);
  const quorum = kind === 'read' ? config.readQuorum : config.writeQuorum;
  return Math.max(1, Math.min(quorum, replicas));
}

export interface QuorumOutcome<T> {
  /** Successful answers in arrival order (at least `required` of them). */
  answers: Array<{ node: string; value: T }>;
  /** Every answer, success or failure, once all have settled or the deadline passed. */
  settled: Promise<Array<{ node: string; value: T } | { node: string; error: unknown }>>;
}

/**
 * Waits until `required` of `attempts` succeed. Rejects with UNAVAILABLE when so many failed that the
 * quorum cannot be reached (TIMEOUT if any of those failures was a timeout), or TIMEOUT at the deadline.
 */
export function awaitQuorum<T>(
  attempts: ReadonlyArray<{ node: string; answer: Promise<T> }>,
  required: number,
  clock: Clock,
  timeoutMs: number,
  what: string,
): Promise<QuorumOutcome<T>> {
  const results: Array<{ node: string; value: T } | { node: string; error: unknown }> = [];
  let finishSettled: () => void = () => {};
  const settled = new Promise<typeof results>((resolve) => {
    finishSettled = () => resolve(results);
  });
  return new Promise<QuorumOutcome<T>>((resolve, reject) => {
    const answers: Array<{ node: string; value: T }> = [];
    let failures = 0;
    let timedOut = false;
    let done = false;
    const timer = clock.setTimer(timeoutMs, () => {
      finishSettled();
      if (done) return;
      done = true;
      reject(
        new RingKvError(
          'TIMEOUT',
          `${what}: ${answers.length} of ${required} replicas answered in ${timeoutMs} ms`,
        ),
      );
    });
    const check = () => {
      if (results.length === attempts.length) {
        timer.cancel();
        finishSettled();
      }
      if (done) return;
      if (answers.length >= required) {
        done = true;
        resolve({ answers: [...answers], settled });
      } else if (failures > attempts.length - required) {
        done = true;
        const code = timedOut ? 'TIMEOUT' : 'UNAVAILABLE';
        reject(new RingKvError(code, `${what}: ${answers.length} replicas answered; ${required} needed`));
      }
    };
    for (const { node, answer } of attempts) {
      answer.then(
        (value) => {
          answers.push({ node, value });
          results.push({ node, value });
          check();
        },
        (error: unknown) => {
          failures++;
          if (error instanceof RingKvError && error.code === 'TIMEOUT') timedOut = true;
          results.push({ node, error });
          check();
        },
      );
    }
    check();
  });
}
