/**
 * A few nodes' stores in one process for the reclamation tests: each node an `IndexedStore` with a
 * reclamation policy over a real engine, a ring, a set of nodes that do not answer, and a sweeper per node
 * whose replica reads go straight to the other stores. Time is a `SimClock`, advanced by the test.
 */

import { SimClock } from '../sim/clock.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { hlcFrom } from './hlc.js';
import { IndexedStore } from './indexed-store.js';
import type { MemberStatus } from './member-table.js';
import { defaultTokens, Ring } from './ring.js';
import { Sweeper, type SweeperConfig, sweeperDefaults } from './sweeper.js';
import type { NodeId, StoredRecord } from './types.js';

export const graceMs = 60_000;
export const confirmMs = 1_000;

export interface WorldOptions {
  ids: NodeId[];
  replicationFactor: number;
  openStore?: () => Promise<Store>;
}

export class World {
  readonly clock = new SimClock();
  readonly stores = new Map<NodeId, IndexedStore>();
  readonly down = new Set<NodeId>();
  readonly status = new Map<NodeId, MemberStatus>();
  readonly pending = new Map<NodeId, number>();
  ring: Ring;
  /** When the tests' records have their stated ages (`record`): five grace periods after the start. */
  readonly sweepAtMs = this.clock.nowMs() + 5 * graceMs;

  private constructor(readonly options: WorldOptions) {
    this.ring = ringOf(options.ids);
  }

  static async create(options: WorldOptions): Promise<World> {
    const world = new World(options);
    for (const id of options.ids) await world.addStore(id);
    return world;
  }

  async addStore(id: NodeId): Promise<IndexedStore> {
    const inner = this.options.openStore ? await this.options.openStore() : new MemoryStore();
    const store = new IndexedStore(inner, { clock: this.clock, graceMs });
    this.stores.set(id, store);
    this.status.set(id, 'alive');
    return store;
  }

  store(id: NodeId): IndexedStore {
    return this.stores.get(id)!;
  }

  /**
   * A record that will be `ageMs` old at `sweepAtMs` (a tombstone when `valueJson` is null). Tests write
   * records before that time, when none has expired yet (an expired tombstone would be refused for a key
   * not held), then `settle()` moves the clock to it.
   */
  record(ageMs: number, valueJson: string | null, writer = 'w:1'): StoredRecord {
    return { valueJson, version: hlcFrom(this.sweepAtMs - ageMs, 0), writer };
  }

  /** Moves the clock to `sweepAtMs`, when the ages given to `record` hold. */
  settle(): void {
    if (this.clock.nowMs() < this.sweepAtMs) this.runForMs(this.sweepAtMs - this.clock.nowMs());
  }

  /** Runs the clock's timers due in the next `ms`, letting promise chains settle between them. */
  async runFor(ms: number): Promise<void> {
    const untilMs = this.clock.nowMs() + ms;
    for (let next = this.clock.nextAtMs(); next !== undefined && next <= untilMs; ) {
      this.clock.step();
      // The memory engine's writes resolve in microtasks: let a sweep's chain of them run.
      for (let i = 0; i < 200; i++) await Promise.resolve();
      next = this.clock.nextAtMs();
    }
    this.clock.advanceTo(untilMs);
  }

  private runForMs(ms: number): void {
    const untilMs = this.clock.nowMs() + ms;
    while ((this.clock.nextAtMs() ?? Number.POSITIVE_INFINITY) <= untilMs) this.clock.step();
    this.clock.advanceTo(untilMs);
  }

  replicasOf(key: string): NodeId[] {
    return [...this.ring.preferenceList(key, this.options.replicationFactor)];
  }

  sweeper(self: NodeId, config: Partial<SweeperConfig> = {}): Sweeper {
    return new Sweeper({
      self,
      clock: this.clock,
      store: this.store(self),
      placement: { ring: () => this.ring, isLive: (id) => !this.down.has(id) },
      readReplica: async (node, key) => {
        if (this.down.has(node)) throw new Error(`${node} does not answer`);
        return this.stores.get(node)?.get(key);
      },
      replicationFactor: this.options.replicationFactor,
      config: { ...sweeperDefaults, graceMs, confirmMs, recordsPerTick: 64, bucketsPerTick: 16, ...config },
      selfStatus: () => this.status.get(self),
      rangesPending: () => this.pending.get(self) ?? 0,
    });
  }

  /**
   * Two full passes of `sweeper`, `confirmMs` apart, so a tombstone collectable in both is collected (or
   * until it finds the node not settled).
   */
  async sweep(sweeper: Sweeper): Promise<void> {
    await this.pass(sweeper);
    this.runForMs(confirmMs);
    await this.pass(sweeper);
  }

  /** Ticks `sweeper` until it completed one more full pass over its store, or it is not settled. */
  async pass(sweeper: Sweeper): Promise<void> {
    this.settle();
    const target = sweeper.stats.passes + 1;
    for (let ticks = 0; sweeper.stats.passes < target; ticks++) {
      if (ticks > 1_000) throw new Error('sweeper made no progress');
      if (!(await sweeper.tick())) return;
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.stores.values()].map((store) => store.close()));
  }
}

/** Eight tokens per node, from the ring's default token function. */
export function ringOf(ids: readonly NodeId[]): Ring {
  return Ring.fromMembers(ids.map((id) => ({ id, tokens: defaultTokens(id, 8) })));
}
