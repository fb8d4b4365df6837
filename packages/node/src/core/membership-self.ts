/**
 * This node's own entry in the member table: its status, its incarnation and its tokens. Only this node
 * raises its incarnation; that is how it refutes a suspicion (SWIM): a fact that says it is suspect or
 * dead, or names an incarnation above ours, is answered by announcing ourselves one incarnation higher.
 * Removal and decommission (`leaving`) are accepted, not refuted: an operator decided them.
 */
import type { MemberUpdate } from '@ringkv/protocol';
import type { Dissemination } from './dissemination.js';
import { factOf, type MemberState, type MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import type { NodeId } from './types.js';

export interface SelfStateDeps {
  self: NodeId;
  table: MemberTable;
  queue: Pick<Dissemination, 'enqueue'>;
  emit: (event: MembershipEvent) => void;
  /** False before any seed answered: there is no one to tell yet (our join message carries the fact). */
  gossips: () => boolean;
}

/**
 * What a fact about this node did: nothing (`stale`: older than what we hold, or nothing to answer),
 * `removed` (the caller stops the node), `leaving` (decommissioned) or `refuted` (we announced ourselves
 * one incarnation above the fact).
 */
export type SelfFactOutcome = 'stale' | 'removed' | 'leaving' | 'refuted';

export class SelfState {
  constructor(private readonly deps: SelfStateDeps) {}

  get me(): MemberState {
    return this.deps.table.get(this.deps.self)!;
  }

  /** Someone says something about us: removal and decommission we accept; suspicion we refute. */
  onFact(fact: MemberUpdate): SelfFactOutcome {
    const me = this.me;
    if (fact.incarnation < me.incarnation) return 'stale';
    if (fact.status === 'removed') return 'removed';
    if (fact.status === 'leaving' && me.status !== 'leaving') {
      this.set('leaving', fact.incarnation);
      return 'leaving';
    }
    if (fact.status === 'suspect' || fact.status === 'dead' || fact.incarnation > me.incarnation) {
      this.set(me.status, fact.incarnation + 1);
      return 'refuted';
    }
    return 'stale';
  }

  /** Sets our status and incarnation, rebuilds the ring, gossips the fact and tells the listeners. */
  set(status: MemberState['status'], incarnation: number): void {
    const previous = { ...this.me };
    const member = { ...previous, status, incarnation };
    this.deps.table.replace(member);
    const ringChanged = this.deps.table.settle();
    if (this.deps.gossips()) this.deps.queue.enqueue(factOf(member));
    this.deps.emit({ type: 'member', member: { ...member }, previous });
    if (ringChanged) this.deps.emit({ type: 'ring', ring: this.deps.table.ring() });
  }

  /**
   * Takes newly chosen tokens: joining, one incarnation up. The ring is not rebuilt here: the caller does
   * it once for the whole batch of facts, so no ring with our provisional tokens reaches a listener.
   */
  takeTokens(tokens: number[]): void {
    const previous = { ...this.me, tokens: [...this.me.tokens] };
    const member = { ...previous, status: 'joining' as const, incarnation: previous.incarnation + 1, tokens };
    this.deps.table.replace(member);
    this.deps.queue.enqueue(factOf(member));
    this.deps.emit({ type: 'member', member: { ...member, tokens: [...tokens] }, previous });
  }
}
