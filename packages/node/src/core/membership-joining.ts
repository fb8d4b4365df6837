/**
 * How this node gets into a cluster (docs/PROTOCOL.md, "Joining" and "Concurrent joins"): it waits for a
 * seed to answer; a new node then chooses its tokens against the ring it sees (provisional-tokens.ts),
 * chooses again while still joining if a node that joined at the same moment took tokens it did not see,
 * and turns alive only when the join gate opens (join-gate.ts). A returning member keeps its tokens.
 */
import type { MemberUpdate } from '@ringkv/protocol';
import { JoinGate } from './join-gate.js';
import { factOf, type MemberTable } from './member-table.js';
import type { MembershipConfig } from './membership-config.js';
import type { SelfState } from './membership-self.js';
import { ProvisionalTokens, type TokenChoiceReason } from './provisional-tokens.js';
import type { Ring } from './ring.js';
import type { TimerSet } from './timer-set.js';
import type { Clock, NodeId } from './types.js';

/** A new node's token choice, from the owner of `Membership` (membership.ts). */
export interface TokenChoiceDeps {
  /**
   * Set when this node's tokens are provisional (a new node): called on the first full state from a
   * cluster (`join`), with the ring of the other members; the tokens it returns replace ours and this node
   * stays `joining` until `markReady()`. Undefined from it keeps our tokens (and we are a returning member).
   * Called again (`collision`) while still joining if another node joined at the same moment
   * (provisional-tokens.ts).
   */
  chooseTokens?: (others: Ring, reason: TokenChoiceReason) => number[] | undefined;
  /** Our tokens stopped being provisional (chosen, or kept because we founded the cluster): keep them. */
  onTokensFinal?: (tokens: number[]) => void;
}

export interface JoiningDeps extends TokenChoiceDeps {
  self: NodeId;
  clock: Pick<Clock, 'nowMs'>;
  timers: TimerSet;
  config: Pick<MembershipConfig, 'joiningMinMs' | 'pingTimeoutMs'>;
  table: MemberTable;
  selfState: Pick<SelfState, 'me' | 'takeTokens'>;
}

export class Joining {
  /** Started with seeds and none has answered yet: our view of the cluster is only ourselves. */
  awaitingSeed = false;
  private readonly tokens: ProvisionalTokens;
  private readonly gate: JoinGate;

  constructor(private readonly deps: JoiningDeps) {
    this.tokens = new ProvisionalTokens({
      self: deps.self,
      table: deps.table,
      choose: deps.chooseTokens,
      onFinal: deps.onTokensFinal,
    });
    this.gate = new JoinGate({
      clock: deps.clock,
      timers: deps.timers,
      joiningMinMs: deps.config.joiningMinMs,
      // A pulled full state answers within a ping's round trip when the member is healthy.
      pullWaitMs: deps.config.pingTimeoutMs,
    });
  }

  /** The fact a join message announces: a new node introduces itself joining, owning nothing yet. */
  introduction(): MemberUpdate {
    return { ...factOf(this.deps.selfState.me), status: this.tokens.provisional ? 'joining' : 'alive' };
  }

  /** This node founds a cluster (another joins it, or it admits one): provisional tokens become final. */
  keep(): void {
    this.tokens.keep();
  }

  /**
   * Once, on the first full state with other members: provisional tokens are replaced by the ones the
   * node chooses against the others' ring, and the node becomes (or stays) joining, one incarnation up.
   * The caller runs this before the ring is rebuilt, so no ring with our provisional tokens ever reaches
   * a listener. Returns whether tokens were taken.
   */
  choose(): boolean {
    const tokens = this.tokens.choose();
    if (tokens === undefined) return false;
    this.take(tokens);
    return true;
  }

  /**
   * While joining (the caller checks that the protocol runs): a node that joined at the same moment took
   * tokens we did not see when we chose ours; choose again around them (provisional-tokens.ts says who
   * moves). Before the ring is rebuilt, as above. Returns whether tokens were taken.
   */
  rechoose(): boolean {
    if (this.awaitingSeed || this.deps.selfState.me.status !== 'joining') return false;
    const tokens = this.tokens.rechoose();
    if (tokens === undefined) return false;
    this.take(tokens);
    return true;
  }

  /**
   * Whether a joining node whose ranges have arrived may turn alive now (join-gate.ts). When it may, its
   * tokens never change again; when not, `retry` has been scheduled (after `pull`, once per set of tokens).
   */
  mayTurnAlive(pull: () => void, retry: () => void): boolean {
    if (!this.gate.open(pull, retry)) return false;
    this.tokens.settle();
    return true;
  }

  private take(tokens: number[]): void {
    this.gate.tookTokens();
    this.deps.selfState.takeTokens(tokens);
  }
}
