/**
 * Runs operations on one key one after another, in arrival order, while operations on different keys run
 * concurrently. The coordinator of a key uses it so that a create, an update and a delete on that key
 * decide their conditions against each other's results, never against the same stale read.
 */
import { RingKvError } from '@ringkv/protocol';

export class KeyQueue {
  private readonly queues = new Map<string, Array<() => Promise<void>>>();

  constructor(private readonly perKeyMax: number) {}

  /** Keys with work queued or running. */
  get keys(): number {
    return this.queues.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = [];
        this.queues.set(key, queue);
      }
      if (queue.length >= this.perKeyMax) {
        reject(new RingKvError('UNAVAILABLE', `${this.perKeyMax} operations are already queued on this key`));
        return;
      }
      queue.push(() => Promise.resolve().then(task).then(resolve, reject));
      if (queue.length === 1) void this.drain(key, queue);
    });
  }

  private async drain(key: string, queue: Array<() => Promise<void>>): Promise<void> {
    // Bounded by perKeyMax entries at any time; each entry settles (its task has its own deadline).
    while (queue.length > 0) {
      await queue[0]!();
      queue.shift();
    }
    this.queues.delete(key);
  }
}
