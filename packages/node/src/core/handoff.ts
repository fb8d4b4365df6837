/**
 * Hinted handoff, the delivering side: hints this node keeps for replicas that missed writes are sent to
 * their owner once it is live again, and deleted only after the owner acknowledged (its store made the
 * write durable). Delivery runs in rounds on the injected Clock; one round per owner at a time, each round
 * bounded by `hintDeliveryBatchMax`. Applying a hint twice is harmless (last-writer-wins).
 */
import { limits } from '@ringkv/protocol';
import type { Store } from '../store/store.js';
import type { Placement, ReplicaChannel } from './coordinator.js';
import type { Clock, NodeId, TimerHandle } from './types.js';

export interface HintDeliveryDeps {
  self: NodeId;
  clock: Clock;
  store: Store;
  channel: ReplicaChannel;
  placement: Placement;
  intervalMs?: number;
  batchMax?: number;
}

export class HintDelivery {
  readonly stats = { delivered: 0, failed: 0, rounds: 0 };
  private readonly busy = new Set<NodeId>();
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly deps: HintDeliveryDeps) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Hints still held for `target`. */
  pendingFor(target: NodeId): number {
    return this.deps.store.hintsFor(target, limits.hintDeliveryBatchMax).length;
  }

  /** Starts a round for `target` now (e.g. its connection just came up), if it has hints and is live. */
  nudge(target: NodeId): void {
    if (!this.running || target === this.deps.self || this.busy.has(target)) return;
    if (!this.deps.placement.isLive(target)) return;
    if (this.deps.store.hintCount() === 0) return;
    this.deliver(target).catch(() => {
      // The store refused to delete a delivered hint: it is delivered again next round (harmless).
      this.stats.failed++;
    });
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(this.deps.intervalMs ?? limits.hintDeliveryIntervalMs, () => {
      this.tick();
      this.schedule();
    });
  }

  private tick(): void {
    if (this.deps.store.hintCount() === 0) return;
    for (const node of this.deps.placement.ring().nodes()) this.nudge(node);
  }

  private async deliver(target: NodeId): Promise<void> {
    const hints = this.deps.store.hintsFor(target, this.deps.batchMax ?? limits.hintDeliveryBatchMax);
    if (hints.length === 0) return;
    this.busy.add(target);
    this.stats.rounds++;
    try {
      await Promise.all(
        hints.map((hint) =>
          this.deps.channel.writeReplica(target, hint.key, hint.record).then(
            async () => {
              await this.deps.store.deleteHint(hint.id);
              this.stats.delivered++;
            },
            () => {
              // The owner is not back yet (or the message was lost): the hint stays for the next round.
              this.stats.failed++;
            },
          ),
        ),
      );
    } finally {
      this.busy.delete(target);
    }
  }
}
