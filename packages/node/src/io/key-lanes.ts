/**
 * Runs tasks for the same key one after another, in the order they arrive; tasks for different keys run
 * concurrently. Used twice: by a client connection, so requests it pipelines or batches on one key apply
 * in the order it sent them, and by LocalNode, so two connections cannot both win a create.
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
