/**
 * A new node's provisional tokens (docs/PROTOCOL.md, "Joining"): they are replaced once, by the tokens the
 * node chooses against the ring of the other members on its first full state, or become final as they
 * are when the node founds a cluster (others join it, or it admits one). Either way the owner is told
 * once (`onFinal`), so it can keep them.
 */
import type { MemberTable } from './member-table.js';
import { Ring } from './ring.js';
import type { NodeId } from './types.js';

export interface ProvisionalTokensDeps {
  self: NodeId;
  table: MemberTable;
  /** Undefined: the node's tokens are final from the start (a returning member). */
  choose: ((others: Ring) => number[] | undefined) | undefined;
  onFinal: ((tokens: number[]) => void) | undefined;
}

export class ProvisionalTokens {
  private pending: boolean;

  constructor(private readonly deps: ProvisionalTokensDeps) {
    this.pending = deps.choose !== undefined;
  }

  /** Whether the tokens may still change (the node then introduces itself joining). */
  get provisional(): boolean {
    return this.pending;
  }

  /**
   * On a full state: the tokens to take instead of ours, chosen against the other members' ring, or
   * undefined (not provisional, alone in the table, or the owner keeps them).
   */
  choose(): number[] | undefined {
    const { table, self } = this.deps;
    if (!this.pending || table.size < 2) return undefined;
    const others = Ring.fromMembers(
      table.view().filter((member) => member.id !== self && member.tokens.length > 0),
    );
    const tokens = this.deps.choose!(others);
    if (tokens === undefined) {
      this.keep();
      return undefined;
    }
    this.pending = false;
    this.deps.onFinal?.([...tokens]);
    return tokens;
  }

  /**
   * The node founded a cluster: its tokens are final. Without tokens it cannot found anything; it then
   * still chooses, when a full state reaches it.
   */
  keep(): void {
    const own = this.deps.table.get(this.deps.self)?.tokens ?? [];
    if (!this.pending || own.length === 0) return;
    this.pending = false;
    this.deps.onFinal?.([...own]);
  }
}
