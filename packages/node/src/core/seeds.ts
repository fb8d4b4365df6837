/**
 * Contact with the seeds (`--join`): joining through them with backoff, and later re-offering them our
 * state so that clusters formed apart merge.
 */
import type { MembershipMessage, MemberUpdate } from '@ringkv/protocol';
import type { MemberTable } from './member-table.js';
import type { MembershipConfig } from './membership-config.js';
import type { TimerSet } from './timer-set.js';
import type { NodeId, Random } from './types.js';

export interface SeedDeps {
  self: NodeId;
  seeds: NodeId[];
  timers: TimerSet;
  random: Random;
  config: MembershipConfig;
  table: MemberTable;
  send: (to: NodeId, message: MembershipMessage) => void;
  /** Still joining (no seed has answered yet)? */
  joining: () => boolean;
  /** The fact a join announces: this node, alive. */
  selfFact: () => MemberUpdate;
  sendSync: (to: NodeId) => void;
}

export class Seeds {
  /** Join messages sent so far. */
  attempts = 0;
  readonly seeds: NodeId[];

  constructor(private readonly deps: SeedDeps) {
    this.seeds = [...new Set(deps.seeds)].filter((seed) => seed !== deps.self);
  }

  /** Asks the next seed to let us in; retries with exponential backoff and jitter until one answers. */
  join(): void {
    if (!this.deps.joining() || this.seeds.length === 0) return;
    const { joinRetryDelayMsMin, joinRetryDelayMsMax } = this.deps.config;
    const seed = this.seeds[this.attempts % this.seeds.length]!;
    this.deps.send(seed, { type: 'join', member: this.deps.selfFact() });
    const ceilingMs = Math.min(joinRetryDelayMsMax, joinRetryDelayMsMin * 2 ** Math.min(this.attempts, 16));
    this.attempts++;
    const delayMs = Math.ceil(ceilingMs / 2) + this.deps.random.int(Math.floor(ceilingMs / 2) + 1);
    this.deps.timers.schedule(delayMs, () => this.join());
  }

  /**
   * A node still joining does not answer joins: two joining nodes would otherwise admit each other and
   * found a second cluster. After `seedRoundsBeforeAnswering` rounds through its seeds without an answer
   * (a whole cluster restarting) it answers anyway, and seed syncs merge what forms.
   */
  answersJoins(): boolean {
    const rounds = this.deps.config.seedRoundsBeforeAnswering;
    return !this.deps.joining() || this.attempts >= rounds * this.seeds.length;
  }

  /** Offers a full sync to one seed that is not an alive or leaving member (and was not removed). */
  syncWithOne(): void {
    const { table } = this.deps;
    const candidates = this.seeds.filter((seed) => {
      const status = table.get(seed)?.status;
      return table.removedAt(seed) === undefined && status !== 'alive' && status !== 'leaving';
    });
    if (candidates.length > 0) this.deps.sendSync(candidates[this.deps.random.int(candidates.length)]!);
  }
}
