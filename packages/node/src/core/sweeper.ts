/**
 * Storage reclamation: one bounded background sweeper per node (started and stopped by RepairPlane). On
 * each tick of the Clock it
 * 1. advances the reclamation horizon of a few merkle buckets, so expired tombstones leave the digests
 *    (reclamation-horizon.ts), and
 * 2. examines one page of the local store (wrapping around the ring, `recordsPerTick` records) and drops
 *    - expired tombstones that no replica of the key could resurrect (`tombstoneCollectable`), and
 *    - records of keys this node no longer replicates, once every current replica answered that it holds
 *      the record or something newer (`heldElsewhere`), and only while nothing is moving (`cleanupAllowed`).
 * Either rule must hold at two looks at least `confirmMs` apart (the first only notes the record), so a
 * value in flight at the first look, or a ring that was partial for a moment, shows in the second.
 * It asks other replicas through `readReplica`; one that does not answer counts as "might hold anything",
 * which keeps the record. Nothing is dropped while this node is not `alive` (joining: its ring may be
 * partial; leaving: it is streaming its ranges out) or while its rebalancer still has transfers pending
 * (a pull could bring back an older value of a key whose tombstone was just dropped).
 */
import { limits } from '@ringkv/protocol';
import type { KeyedRecord } from '../store/store.js';
import type { Placement } from './coordinator.js';
import type { IndexedStore } from './indexed-store.js';
import type { MemberStatus } from './member-table.js';
import { bucketCount } from './merkle.js';
import type { Ring } from './ring.js';
import { type ReplicaAnswer, tombstoneCollectable, tombstoneExpired } from './tombstones.js';
import { type Clock, compareRecords, type NodeId, type StoredRecord, type TimerHandle } from './types.js';

export interface SweeperConfig {
  /** A tombstone is collected no sooner than this after its delete. */
  graceMs: number;
  /** A record is dropped only when seen droppable twice, this long apart (`tombstoneConfirmMsDefault`). */
  confirmMs: number;
  intervalMs: number;
  recordsPerTick: number;
  bucketsPerTick: number;
  /** Drop records of ranges this node no longer replicates (default on). */
  rangeCleanup: boolean;
}

export const sweeperDefaults: SweeperConfig = {
  graceMs: limits.tombstoneGraceMsDefault,
  confirmMs: limits.tombstoneConfirmMsDefault,
  intervalMs: limits.sweepIntervalMsDefault,
  recordsPerTick: limits.sweepRecordsPerTickMax,
  bucketsPerTick: limits.sweepBucketsPerTickMax,
  rangeCleanup: true,
};

export interface SweeperDeps {
  self: NodeId;
  clock: Clock;
  store: IndexedStore;
  placement: Placement;
  /** What replica `node` holds for `key` (rejects when it does not answer). */
  readReplica(node: NodeId, key: string): Promise<StoredRecord | undefined>;
  replicationFactor: number;
  config: SweeperConfig;
  /** This node's membership status (undefined: not known, so nothing is dropped). */
  selfStatus(): MemberStatus | undefined;
  /** Ranges this node's rebalancer still has to stream in or out. */
  rangesPending(): number;
}

/** What the sweeper did since the node started; `/metrics` shows it. */
export interface ReclamationStatus {
  tombstonesCollected: number;
  recordsCleaned: number;
  /** Expired tombstones refused on arrival for keys not held (indexed-store.ts). */
  tombstonesRefused: number;
  hintsExpired: number;
  /** Full passes over the store. */
  passes: number;
  recordsExamined: number;
  /** Ticks that failed (the store refused a purge: closing, or failed stop) and were retried later. */
  failedTicks: number;
}

/** Whether range cleanup may drop anything now (pure: the caller gathers the facts). */
export function cleanupAllowed(facts: {
  enabled: boolean;
  ring: Ring;
  self: NodeId;
  selfStatus: MemberStatus | undefined;
  rangesPending: number;
}): boolean {
  return (
    facts.enabled &&
    facts.ring.size > 1 &&
    facts.ring.has(facts.self) &&
    facts.selfStatus === 'alive' &&
    facts.rangesPending === 0
  );
}

/** Whether every current replica answered that it holds `record` or something newer (none: false). */
export function heldElsewhere(record: StoredRecord, replicas: readonly ReplicaAnswer[]): boolean {
  return (
    replicas.length > 0 &&
    replicas.every((held) => held !== 'unknown' && held !== undefined && compareRecords(held, record) >= 0)
  );
}

export class Sweeper {
  readonly stats = {
    passes: 0,
    recordsExamined: 0,
    tombstonesCollected: 0,
    recordsCleaned: 0,
    ticks: 0,
    failedTicks: 0,
  };
  private after: { token: number; key: string } | undefined;
  /** Records seen droppable once (either rule): key -> the version seen and when it was first seen. */
  private readonly candidates = new Map<string, { version: number; firstMs: number; pass: number }>();
  private nextBucket = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  /** Set by stop(): a tick still waiting for replicas then drops nothing (the store may be closing). */
  private stopped = false;
  private busy = false;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  status(): ReclamationStatus {
    const { tombstonesRefused, hintsExpired } = this.deps.store.reclamationStats;
    const { passes, recordsExamined, tombstonesCollected, recordsCleaned, failedTicks } = this.stats;
    return {
      tombstonesCollected,
      recordsCleaned,
      tombstonesRefused,
      hintsExpired,
      passes,
      recordsExamined,
      failedTicks,
    };
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(this.deps.config.intervalMs, () => {
      if (this.busy) return this.schedule();
      this.busy = true;
      this.tick()
        .catch(() => {
          // A store that failed or closed under us, or a bug in a rule: count it, try again next tick.
          this.stats.failedTicks++;
        })
        .finally(() => {
          this.busy = false;
          this.schedule();
        });
    });
  }

  /**
   * One tick: a few buckets' horizons, then one page of records; false when the node may drop nothing now
   * (not settled), so no page was examined. Public so tests can drive it.
   */
  async tick(): Promise<boolean> {
    this.stats.ticks++;
    this.retireBuckets();
    if (!this.collecting()) return false;
    const page = this.deps.store.scan({
      startExclusive: 0,
      endInclusive: 0,
      limit: this.deps.config.recordsPerTick,
      includeTombstones: true,
      ...(this.after ? { after: this.after } : {}),
    });
    for (const record of page) await this.examine(record);
    const last = page.at(-1);
    if (last && page.length >= this.deps.config.recordsPerTick) {
      this.after = { token: last.token, key: last.key };
    } else {
      this.after = undefined;
      this.stats.passes++;
      // A candidate not seen for a whole pass is gone (collected, overwritten, cleaned): forget it.
      for (const [key, seen] of this.candidates) {
        if (seen.pass < this.stats.passes - 1) this.candidates.delete(key);
      }
    }
    return true;
  }

  private retireBuckets(): void {
    // A store without tombstones has nothing to retire; the horizons catch up on the next tick that has.
    if (this.deps.store.counts().tombstones === 0) return;
    for (let i = 0; i < this.deps.config.bucketsPerTick; i++) {
      this.deps.store.retireExpired(this.nextBucket);
      this.nextBucket = (this.nextBucket + 1) % bucketCount;
    }
  }

  /** Nothing is dropped unless this node is a settled member: not joining, not leaving, not moving data. */
  private collecting(): boolean {
    const ring = this.deps.placement.ring();
    return this.deps.selfStatus() === 'alive' && ring.has(this.deps.self) && this.deps.rangesPending() === 0;
  }

  private async examine(record: KeyedRecord): Promise<void> {
    this.stats.recordsExamined++;
    const { self, placement, replicationFactor, config, clock } = this.deps;
    const ring = placement.ring();
    const replicas = ring.preferenceList(record.key, replicationFactor);
    const owned = replicas.includes(self);
    const nowMs = clock.nowMs();
    const expired = tombstoneExpired(record, nowMs, config.graceMs);
    const cleanup = !owned && this.cleanupAllowedNow(ring);
    if (!expired && !cleanup) return;
    const held = await this.askReplicas(
      record.key,
      replicas.filter((id) => id !== self),
    );
    // Answers describe the ring we asked under; if it changed meanwhile, decide again next pass.
    if (this.stopped || placement.ring().checksum !== ring.checksum || !this.collecting()) return;
    if (expired && tombstoneCollectable(record, held, nowMs, config.graceMs)) {
      if (!this.confirmed(record, nowMs)) return;
      if (await this.deps.store.purge(record.key, record.version)) this.stats.tombstonesCollected++;
      return;
    }
    if (cleanup && this.cleanupAllowedNow(ring) && heldElsewhere(record, held)) {
      if (!this.confirmed(record, nowMs)) return;
      if (await this.deps.store.purge(record.key, record.version)) this.stats.recordsCleaned++;
      return;
    }
    this.candidates.delete(record.key);
  }

  /**
   * Whether this record could already be dropped `confirmMs` ago (the first look only records it). For a
   * tombstone: a transfer of an older value in flight at the first look has landed by now and shows in the
   * second look's answers. For both rules: a ring seen just after a restart can be partial for a moment
   * and name the wrong replicas; the second look asks the replicas of the ring as it is then.
   */
  private confirmed(record: KeyedRecord, nowMs: number): boolean {
    const seen = this.candidates.get(record.key);
    if (seen === undefined || seen.version !== record.version) {
      if (seen !== undefined || this.candidates.size < limits.sweepCandidatesMax) {
        this.candidates.set(record.key, { version: record.version, firstMs: nowMs, pass: this.stats.passes });
      }
      return false;
    }
    seen.pass = this.stats.passes;
    if (nowMs - seen.firstMs < this.deps.config.confirmMs) return false;
    this.candidates.delete(record.key);
    return true;
  }

  private cleanupAllowedNow(ring: Ring): boolean {
    return cleanupAllowed({
      enabled: this.deps.config.rangeCleanup,
      ring,
      self: this.deps.self,
      selfStatus: this.deps.selfStatus(),
      rangesPending: this.deps.rangesPending(),
    });
  }

  private askReplicas(key: string, nodes: NodeId[]): Promise<ReplicaAnswer[]> {
    return Promise.all(
      nodes.map((node) =>
        this.deps.placement.isLive(node)
          ? this.deps.readReplica(node, key).catch((): ReplicaAnswer => 'unknown')
          : Promise.resolve<ReplicaAnswer>('unknown'),
      ),
    );
  }
}
