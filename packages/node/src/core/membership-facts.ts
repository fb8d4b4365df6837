/**
 * How facts are applied, whoever brings them (gossip, a full state, a leave, the failure detector, an
 * operator): the member table decides precedence; a change about another member is gossiped on (not
 * back to the node that told us), starts or ends its suspicion timer and is told to listeners; a fact
 * about this node goes to `SelfState`, which refutes or accepts it. The ring is rebuilt once per batch.
 */
import type { MemberUpdate } from '@ringkv/protocol';
import type { Dissemination } from './dissemination.js';
import { factOf, type MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import type { MembershipConfig } from './membership-config.js';
import type { SelfState } from './membership-self.js';
import { SuspicionTimers } from './suspicion.js';
import type { TimerSet } from './timer-set.js';
import type { NodeId } from './types.js';

/** The protocol's counters this module adds to. */
export interface FactCounters {
  refutes: number;
  suspected: number;
  declaredDead: number;
}

export interface MemberFactsDeps {
  self: NodeId;
  table: MemberTable;
  queue: Pick<Dissemination, 'enqueue'>;
  timers: TimerSet;
  config: Pick<MembershipConfig, 'suspectTimeoutMs'>;
  emit: (event: MembershipEvent) => void;
  selfState: Pick<SelfState, 'onFact'>;
  stats: FactCounters;
  /** Whether the protocol runs (not created, leaving or stopped): only then does it suspect anyone. */
  running: () => boolean;
  /** A fact removed this node (a forget that reached us): stop. */
  removedSelf: () => void;
  /**
   * Run after every batch, before the ring is rebuilt, unless the batch's own hook took tokens: while
   * joining, a concurrent joiner's tokens may make us choose again (membership-joining.ts).
   */
  rechooseTokens: () => boolean;
  /** Push our full state to every member (we took new tokens). */
  announce: () => void;
}

export class MemberFacts {
  private readonly suspicion: SuspicionTimers;

  constructor(private readonly deps: MemberFactsDeps) {
    this.suspicion = new SuspicionTimers(deps.timers, deps.config.suspectTimeoutMs, (id, incarnation) =>
      this.suspicionExpired(id, incarnation),
    );
  }

  /** Applies a batch of facts, then `beforeSettle` (its result is returned), then rebuilds the ring once. */
  apply(facts: readonly MemberUpdate[], source: NodeId | undefined, beforeSettle?: () => boolean): boolean {
    for (const fact of facts) {
      if (fact.id === this.deps.self) this.applySelf(fact);
      else this.applyOther(fact, source);
    }
    const result = beforeSettle?.() ?? false;
    const rechose = !result && this.deps.rechooseTokens();
    const { table } = this.deps;
    if (table.settle()) this.deps.emit({ type: 'ring', ring: table.ring() });
    if (rechose) this.deps.announce();
    return result;
  }

  /** `target` answered neither a ping nor the ping-reqs in time: suspect it at its incarnation. */
  probeFailed(target: NodeId): void {
    const member = this.deps.table.get(target);
    if (!this.deps.running() || !member) return;
    if (member.status === 'suspect' || member.status === 'dead') return;
    this.deps.stats.suspected++;
    this.apply([{ id: target, status: 'suspect', incarnation: member.incarnation }], undefined);
  }

  private suspicionExpired(id: NodeId, incarnation: number): void {
    const member = this.deps.table.get(id);
    if (member?.status !== 'suspect' || member.incarnation !== incarnation) return;
    this.deps.stats.declaredDead++;
    this.apply([{ id, status: 'dead', incarnation }], undefined);
  }

  private applyOther(fact: MemberUpdate, source: NodeId | undefined): void {
    const result = this.deps.table.apply(fact);
    if (result.kind === 'changed') {
      const { member, previous } = result;
      this.deps.queue.enqueue(factOf(member), source);
      if (member.status === 'suspect') this.suspicion.suspect(member.id, member.incarnation);
      else this.suspicion.clear(member.id);
      this.deps.emit(previous ? { type: 'member', member, previous } : { type: 'member', member });
    } else if (result.kind === 'removed') {
      this.suspicion.clear(fact.id);
      this.deps.queue.enqueue({ id: fact.id, status: 'removed', incarnation: fact.incarnation }, source);
      this.deps.emit({ type: 'removed', id: fact.id });
    }
  }

  private applySelf(fact: MemberUpdate): void {
    const outcome = this.deps.selfState.onFact(fact);
    if (outcome === 'refuted') this.deps.stats.refutes++;
    else if (outcome === 'removed') this.deps.removedSelf();
  }
}
