/**
 * Hints kept in memory (the memory engine's hinted-handoff queue): per target, in arrival order, bounded by
 * `hintsMax` across all targets. A hint beyond the bound is dropped and counted, never queued.
 */
import type { NodeId } from '../core/types.js';
import type { Hint } from './store.js';

export class MemoryHints {
  private readonly byTarget = new Map<NodeId, Map<string, Hint>>();
  private readonly targetById = new Map<string, NodeId>();
  private sequence = 0;
  private dropped = 0;

  constructor(private readonly hintsMax: number) {}

  /** Stores a copy of `hint`; returns false (and counts the drop) when `hintsMax` hints are held already. */
  add(hint: Hint): boolean {
    if (this.targetById.size >= this.hintsMax) {
      this.dropped++;
      return false;
    }
    const id = String(++this.sequence);
    let queue = this.byTarget.get(hint.target);
    if (queue === undefined) {
      queue = new Map();
      this.byTarget.set(hint.target, queue);
    }
    const record = Object.freeze({ ...hint.record });
    queue.set(id, Object.freeze({ target: hint.target, key: hint.key, record }));
    this.targetById.set(id, hint.target);
    return true;
  }

  /** Up to `limit` hints for `target`, oldest first (a Map iterates in insertion order). */
  list(target: NodeId, limit: number): Array<Hint & { id: string }> {
    const result: Array<Hint & { id: string }> = [];
    const queue = this.byTarget.get(target);
    if (queue === undefined) return result;
    for (const [id, hint] of queue) {
      if (result.length >= limit) break;
      result.push({ id, target: hint.target, key: hint.key, record: hint.record });
    }
    return result;
  }

  remove(id: string): void {
    const target = this.targetById.get(id);
    if (target === undefined) return;
    this.targetById.delete(id);
    const queue = this.byTarget.get(target)!;
    queue.delete(id);
    if (queue.size === 0) this.byTarget.delete(target);
  }

  count(): number {
    return this.targetById.size;
  }

  droppedCount(): number {
    return this.dropped;
  }
}
