/**
 * Runs operations on one key one after another, in arrival order, while operations on different keys run
 * concurrently. The coordinator of a key uses it so that a create, an update and a delete on that key
 * decide their conditions against each other's results, never against the same stale read.
 *
 * A key with nothing running starts its task at once, in the caller's turn (so a write's quorum read joins
 * that turn's replica batches); the next task on the key starts when the running one has settled.
 */
import { RingKvError } from '@ringkv/protocol';

interface Waiting {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A busy key with nothing waiting behind its running task: shared, so an idle key's task allocates no array. */
const noneWaiting: readonly Waiting[] = Object.freeze([]);

export class KeyQueue {
  /** Per busy key, the tasks waiting behind the running one (`noneWaiting` until one waits). */
  private readonly queues = new Map<string, readonly Waiting[]>();

  constructor(private readonly perKeyMax: number) {}

  /** Keys with work queued or running. */
  get keys(): number {
    return this.queues.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const waiting = this.queues.get(key);
    if (waiting === undefined) {
      this.queues.set(key, noneWaiting);
      return this.start(key, task);
    }
    if (waiting.length + 1 >= this.perKeyMax) {
      return Promise.reject(
        new RingKvError('UNAVAILABLE', `${this.perKeyMax} operations are already queued on this key`),
      );
    }
    const queue = waiting === noneWaiting ? [] : (waiting as Waiting[]);
    if (queue !== waiting) this.queues.set(key, queue);
    return new Promise<T>((resolve, reject) => {
      queue.push({ task, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private start<T>(key: string, task: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    // Bounded: each key has at most perKeyMax entries, and each task settles (it has its own deadline).
    // Anonymous arrows: a named one costs a defineProperty per call where tsx keeps names (docs/PERFORMANCE.md).
    result.then(
      () => this.next(key),
      () => this.next(key),
    );
    return result;
  }

  private next(key: string): void {
    const waiting = this.queues.get(key) as Waiting[] | undefined;
    const entry = waiting === noneWaiting ? undefined : waiting?.shift();
    if (!entry) {
      this.queues.delete(key);
      return;
    }
    this.start(key, entry.task).then(entry.resolve, entry.reject);
  }
}
