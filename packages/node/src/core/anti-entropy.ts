/**
 * Anti-entropy (Dynamo section 4.7): in rounds on the injected Clock (every `intervalMs`, jittered), this
 * node picks one live peer that shares ranges with it, compares the hash-tree digests of up to
 * `rangesPerRound` of those ranges (roots first, buckets only where roots differ), and pulls the records of
 * at most `partsPerRoundMax` differing parts. Pulls only: the peer pulls from us in its own rounds, so
 * both sides converge without either pushing. A replica that was down or partitioned away catches up with
 * no client read and no hint.
 */
import type { Placement } from './coordinator.js';
import type { IndexedStore } from './indexed-store.js';
import { differingPartsWith, pullRange, RepairService } from './repair-sync.js';
import type { PeerRequester } from './replica.js';
import { coalesceSegments, type TokenRange } from './ring.js';
import type { Clock, NodeId, Random, TimerHandle } from './types.js';

export interface AntiEntropyConfig {
  replicationFactor: number;
  /** Mean time between rounds; each wait is drawn from [intervalMs / 2, intervalMs * 3 / 2). */
  intervalMs: number;
  rangesPerRound: number;
  partsPerRoundMax: number;
  requestTimeoutMs: number;
}

export const antiEntropyDefaults: Omit<AntiEntropyConfig, 'replicationFactor'> = {
  intervalMs: 5_000,
  rangesPerRound: 8,
  partsPerRoundMax: 256,
  requestTimeoutMs: 5_000,
};

export interface AntiEntropyDeps {
  self: NodeId;
  clock: Clock;
  random: Random;
  store: IndexedStore;
  peers: PeerRequester;
  placement: Placement;
  config: AntiEntropyConfig;
  /**
   * False while this node's ring cannot be trusted (still waiting for its seeds after a start): a round
   * then would compare ranges the node does not replicate and pull copies nobody reads. Default: ready.
   */
  ready?: () => boolean;
}

export interface RoundOutcome {
  peer?: NodeId;
  rangesCompared: number;
  partsDiffering: number;
  keysApplied: number;
}

export class AntiEntropy {
  readonly stats = { rounds: 0, failedRounds: 0, rangesCompared: 0, partsRepaired: 0, keysApplied: 0 };
  private readonly service: RepairService;
  private timer: TimerHandle | undefined;
  private running = false;
  private busy = false;

  constructor(private readonly deps: AntiEntropyDeps) {
    this.service = new RepairService(deps.store);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    const { intervalMs } = this.deps.config;
    const waitMs = intervalMs / 2 + this.deps.random.next() * intervalMs;
    this.timer = this.deps.clock.setTimer(waitMs, () => {
      if (this.busy) return this.schedule(); // the previous round is still pulling
      if (this.deps.ready && !this.deps.ready()) return this.schedule();
      this.busy = true;
      this.round()
        .catch(() => {
          // A peer that times out or goes away mid-round: the next round picks again.
          this.stats.failedRounds++;
        })
        .finally(() => {
          this.busy = false;
          this.schedule();
        });
    });
  }

  /** The ranges this node shares with each live peer (segments where both are replicas, coalesced). */
  private sharedRanges(): Map<NodeId, TokenRange[]> {
    const { placement, self, config } = this.deps;
    const ring = placement.ring();
    const ends = Array.from({ length: ring.tokenCount }, (_, i) => ring.tokenAt(i));
    const replicasAt = ends.map((_, i) => ring.preferenceListAt(i, config.replicationFactor));
    const shared = new Map<NodeId, TokenRange[]>();
    for (const peer of ring.nodes()) {
      if (peer === self || !placement.isLive(peer)) continue;
      const labels = replicasAt.map((replicas) =>
        replicas.includes(self) && replicas.includes(peer) ? peer : null,
      );
      const ranges = coalesceSegments(ends, labels).map(({ startExclusive, endInclusive }) => ({
        startExclusive,
        endInclusive,
      }));
      if (ranges.length > 0) shared.set(peer, ranges);
    }
    return shared;
  }

  private replicates(key: string): boolean {
    const { placement, self, config } = this.deps;
    return placement.ring().preferenceList(key, config.replicationFactor).includes(self);
  }

  /** One round with one peer; public so tests can drive rounds directly. */
  async round(): Promise<RoundOutcome> {
    this.stats.rounds++;
    const shared = this.sharedRanges();
    const outcome: RoundOutcome = { rangesCompared: 0, partsDiffering: 0, keysApplied: 0 };
    if (shared.size === 0) return outcome;
    const peers = [...shared.keys()];
    const peer = peers[this.deps.random.int(peers.length)]!;
    outcome.peer = peer;
    const ranges = sample(shared.get(peer)!, this.deps.config.rangesPerRound, this.deps.random);
    let partsLeft = this.deps.config.partsPerRoundMax;
    for (const range of ranges) {
      if (partsLeft <= 0 || !this.running) break;
      const { peers, config } = this.deps;
      const parts = await differingPartsWith(peers, peer, range, this.service, {
        timeoutMs: config.requestTimeoutMs,
        partsMax: partsLeft,
      });
      outcome.rangesCompared++;
      this.stats.rangesCompared++;
      partsLeft -= parts.length;
      outcome.partsDiffering += parts.length;
      for (const part of parts) {
        const pulled = await pullRange(this.deps.peers, peer, part, this.deps.store, {
          timeoutMs: this.deps.config.requestTimeoutMs,
          // The ring may have changed since the round chose its ranges (or was partial then, right
          // after a restart): apply only keys this node replicates now, never orphan copies.
          accept: (key) => this.replicates(key),
        });
        outcome.keysApplied += pulled.keysApplied;
        this.stats.partsRepaired++;
        this.stats.keysApplied += pulled.keysApplied;
      }
    }
    return outcome;
  }
}

/** Up to `count` distinct items drawn at random (a partial Fisher-Yates shuffle of a copy). */
function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const copy = [...items];
  const take = Math.min(count, copy.length);
  for (let i = 0; i < take; i++) {
    const j = i + random.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, take);
}
