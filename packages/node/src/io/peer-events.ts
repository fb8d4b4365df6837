/**
 * Pushes the cluster's changes to subscribers (the `ring`, `nodes` and `stats` topics of the WebSocket
 * API): ring and member changes as membership reports them, stats once per interval while anyone listens.
 * Also lets add_node wait, bounded, for a condition on membership to hold.
 */
import type { NodeStats, NodesResult, RingResult } from '@ringkv/protocol';
import type { Membership } from '../core/membership.js';
import type { Clock, TimerHandle } from '../core/types.js';
import type { NodeEvent } from '../node-api.js';

export interface ClusterEventsDeps {
  membership: Pick<Membership, 'onEvent'>;
  clock: Clock;
  statsIntervalMs: number;
  ring: () => RingResult;
  nodes: () => NodesResult;
  stats: () => NodeStats[];
}

/** How often a waiter re-checks its condition besides membership events. */
const waitPollMs = 100;

export class ClusterEvents {
  private readonly listeners = new Set<(event: NodeEvent) => void>();
  private readonly detach: () => void;
  private statsTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly deps: ClusterEventsDeps) {
    this.detach = deps.membership.onEvent((event) => {
      if (this.listeners.size === 0) return;
      if (event.type === 'ring') this.emit({ topic: 'ring', data: deps.ring() });
      else this.emit({ topic: 'nodes', data: deps.nodes() });
    });
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.statsTimer && !this.closed) this.scheduleStats();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves true once `condition()` holds, false after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let waitedMs = 0;
      const check = () => {
        if (condition()) return resolve(true);
        if (waitedMs >= timeoutMs || this.closed) return resolve(false);
        waitedMs += waitPollMs;
        this.deps.clock.setTimer(waitPollMs, check);
      };
      check();
    });
  }

  close(): void {
    this.closed = true;
    this.detach();
    this.statsTimer?.cancel();
    this.listeners.clear();
  }

  private scheduleStats(): void {
    this.statsTimer = this.deps.clock.setTimer(this.deps.statsIntervalMs, () => {
      this.statsTimer = undefined;
      if (this.closed || this.listeners.size === 0) return;
      this.emit({ topic: 'stats', data: { nodes: this.deps.stats() } });
      this.scheduleStats();
    });
  }

  private emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
