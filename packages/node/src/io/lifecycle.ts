/**
 * The node's lifecycle as explicit states (as ws's server keeps them). `starting` until the port listens,
 * `serving` while requests are answered, `draining` while in-flight work finishes and connections close,
 * `stopped` once the store is closed. A transition not in `next` is a bug and asserts.
 */
import { assert } from '../core/types.js';

export type LifecycleState = 'starting' | 'serving' | 'draining' | 'stopped';

const next: Record<LifecycleState, readonly LifecycleState[]> = {
  // starting -> draining/stopped: a signal or a failure (port in use) during start-up.
  starting: ['serving', 'draining', 'stopped'],
  serving: ['draining'],
  draining: ['stopped'],
  stopped: [],
};

export class Lifecycle {
  private current: LifecycleState = 'starting';
  private readonly listeners = new Set<(state: LifecycleState) => void>();

  get state(): LifecycleState {
    return this.current;
  }

  get serving(): boolean {
    return this.current === 'serving';
  }

  canMoveTo(target: LifecycleState): boolean {
    return next[this.current].includes(target);
  }

  moveTo(target: LifecycleState): void {
    assert(this.canMoveTo(target), `lifecycle: illegal transition ${this.current} -> ${target}`);
    this.current = target;
    for (const listener of this.listeners) listener(target);
  }

  onChange(listener: (state: LifecycleState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
