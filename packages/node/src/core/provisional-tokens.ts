/**
 * A new node's provisional tokens (docs/PROTOCOL.md, "Joining"): they are replaced by the tokens the node
 * chooses against the ring of the other members on its first full state, or become final as they are when
 * the node founds a cluster (others join it, or it admits one). The owner is told each time (`onFinal`),
 * so it can keep them.
 *
 * Concurrent joins: two nodes that choose against the same ring at the same moment pick nearly the same
 * cuts, and one of them ends up owning a sliver. So while a node is still joining, it remembers the
 * others' tokens it chose against, and when a member's tokens appear or change that it did not account
 * for, it chooses again against the ring as it is now, unless that member will do so itself: a member
 * that is also joining re-chooses when its id sorts after ours. The member with the smallest id among
 * colliding joiners keeps its tokens, the next one re-chooses around it, and so on; joiners that are
 * already alive never move. Re-choosing is safe only before the node serves reads (it is `joining`: its
 * ranges are still streaming in and the serving ring does not hold it), which the caller checks.
 */
import type { MemberTable } from './member-table.js';
import { Ring } from './ring.js';
import type { NodeId } from './types.js';

/** Why tokens are being chosen: the first contact with a cluster, or a concurrent join found later. */
export type TokenChoiceReason = 'join' | 'collision';

/**
 * Re-choices one join may make. Each re-choice is caused by a joiner with a smaller id (or an alive
 * member) whose tokens we had not seen, so a join of k nodes at once needs at most k - 1; the bound only
 * stops a pathological cluster from re-choosing forever.
 */
export const tokenRechoicesMax = 16;

export interface ProvisionalTokensDeps {
  self: NodeId;
  table: MemberTable;
  /** Undefined: the node's tokens are final from the start (a returning member). */
  choose: ((others: Ring, reason: TokenChoiceReason) => number[] | undefined) | undefined;
  onFinal: ((tokens: number[]) => void) | undefined;
}

type TokensState = 'provisional' | 'chosen' | 'final';

export class ProvisionalTokens {
  private state: TokensState;
  /** While `chosen`: each other member's tokens as they were when ours were chosen (the table's arrays). */
  private basis = new Map<NodeId, readonly number[]>();
  private rechoices = 0;

  constructor(private readonly deps: ProvisionalTokensDeps) {
    this.state = deps.choose !== undefined ? 'provisional' : 'final';
  }

  /** Whether the tokens may still change (the node then introduces itself joining). */
  get provisional(): boolean {
    return this.state === 'provisional';
  }

  /** How many times this node chose again after finding a concurrent join. */
  get rechoiceCount(): number {
    return this.rechoices;
  }

  /**
   * On a full state: the tokens to take instead of ours, chosen against the other members' ring, or
   * undefined (not provisional, alone in the table, or the owner keeps them).
   */
  choose(): number[] | undefined {
    if (this.state !== 'provisional' || this.deps.table.size < 2) return undefined;
    const tokens = this.chooseAgainstOthers('join');
    if (tokens === undefined) this.keep();
    return tokens;
  }

  /**
   * While joining (the caller checks): new tokens when a member's tokens appeared or changed since ours
   * were chosen and that member will not re-choose itself (see the top of the file); else undefined.
   */
  rechoose(): number[] | undefined {
    if (this.state !== 'chosen' || this.rechoices >= tokenRechoicesMax) return undefined;
    if (!this.unaccountedMember()) return undefined;
    this.rechoices++;
    const tokens = this.chooseAgainstOthers('collision');
    if (tokens === undefined) this.settle();
    return tokens;
  }

  /**
   * The node founded a cluster: its tokens are final. Without tokens it cannot found anything; it then
   * still chooses, when a full state reaches it.
   */
  keep(): void {
    const own = this.deps.table.get(this.deps.self)?.tokens ?? [];
    if (this.state !== 'provisional' || own.length === 0) return;
    this.state = 'final';
    this.deps.onFinal?.([...own]);
  }

  /** The node serves reads now (it stopped joining): its tokens never change again. */
  settle(): void {
    if (this.state === 'provisional') return;
    this.state = 'final';
    this.basis.clear();
  }

  private chooseAgainstOthers(reason: TokenChoiceReason): number[] | undefined {
    const { table, self } = this.deps;
    const others = table.view().filter((member) => member.id !== self && member.tokens.length > 0);
    const tokens = this.deps.choose!(Ring.fromMembers(others), reason);
    if (tokens === undefined) return undefined;
    this.state = 'chosen';
    this.basis = new Map(others.map((member) => [member.id, member.tokens]));
    this.deps.onFinal?.([...tokens]);
    return tokens;
  }

  private unaccountedMember(): NodeId | undefined {
    const { table, self } = this.deps;
    for (const member of table.view()) {
      if (member.id === self || member.tokens.length === 0) continue;
      // A joiner whose id sorts after ours re-chooses around us itself.
      if (member.status === 'joining' && member.id > self) continue;
      const seen = this.basis.get(member.id);
      if (seen === undefined || !sameTokens(seen, member.tokens)) return member.id;
    }
    return undefined;
  }
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
