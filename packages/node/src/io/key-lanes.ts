/**
 * Runs tasks for the same key one after another, in the order they arrive; tasks for different keys run
 * concurrently. LocalNode uses it so two connections cannot both win a create; a client connection, whose
 * requests on one key must apply in the order it sent them, uses ReportedKeyLanes below.
 * It holds one entry per key with work pending, so its size is bounded by the requests in flight.
 */
export class KeyLanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  get pendingKeys(): number {
    return this.tails.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous === undefined ? task() : previous.then(task, task);
    // The tail never rejects, so a failed task does not fail the ones queued behind it.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

interface Lane {
  /** Tasks started or queued on the key and not yet reported `done`. */
  pending: number;
  /** The last task's promise: the next task on the key starts once it settles, fulfilled or rejected. */
  tail: Promise<unknown>;
}

/**
 * KeyLanes for a caller that knows when each of its tasks has finished (a client connection: the reply is
 * its end). A task on an idle key starts at once and its own promise is the lane's tail, so an idle key
 * costs no promise, closure or microtask beyond the task's; the caller calls `done(key)` once per `run`
 * after the returned promise settled, and the lane is forgotten when nothing is pending on it.
 */
export class ReportedKeyLanes {
  private readonly lanes = new Map<string, Lane>();

  get pendingKeys(): number {
    return this.lanes.size;
  }

  /** Whether a task on `key` is running or queued (a request on it must queue behind). */
  has(key: string): boolean {
    return this.lanes.has(key);
  }

  /** `task` must not throw synchronously (an async function never does). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(key);
    if (lane === undefined) {
      const result = task();
      this.lanes.set(key, { pending: 1, tail: result });
      return result;
    }
    // A rejected predecessor still lets the task run: failures do not spread along the lane.
    const result = lane.tail.then(task, task);
    lane.tail = result;
    lane.pending++;
    return result;
  }

  done(key: string): void {
    const lane = this.lanes.get(key);
    if (lane === undefined) throw new Error(`ReportedKeyLanes.done for ${JSON.stringify(key)} without a run`);
    if (--lane.pending === 0) this.lanes.delete(key);
  }
}
