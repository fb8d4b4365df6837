/**
 * What one node knows about the cluster's members: their status, incarnation and tokens, the removed
 * members (tombstones), and the ring derived from the members. Pure bookkeeping; the SWIM protocol around
 * it lives in membership.ts.
 *
 * Precedence (SWIM / memberlist): a fact about a member replaces what we hold when its incarnation is
 * higher, or, at the same incarnation, when its status ranks higher:
 *   joining < alive < leaving < suspect < dead < removed.
 * `removed` is final for an id: later facts about it are ignored unless their incarnation is higher than
 * the removal's and they introduce the member again (alive, joining or leaving, with tokens): a rejoin.
 * A node's incarnation starts at its boot time in milliseconds, so a restarted node always rejoins above
 * every fact about its previous life (see PROTOCOL.md, "Membership").
 */
import { limits, type MemberUpdate, type MemberWireStatus, type NodeStatus } from '@ringkv/protocol';
import { hashString } from './hash.js';
import { Ring } from './ring.js';
import type { NodeId } from './types.js';

export type MemberStatus = NodeStatus;

export interface MemberState {
  id: NodeId;
  status: MemberStatus;
  incarnation: number;
  tokens: number[];
}

const rank: Record<MemberWireStatus, number> = {
  joining: 0,
  alive: 1,
  leaving: 2,
  suspect: 3,
  dead: 4,
  removed: 5,
};

/** True when `incoming` should replace `current` (see the precedence above). */
export function supersedes(
  incoming: { status: MemberWireStatus; incarnation: number },
  current: { status: MemberWireStatus; incarnation: number },
): boolean {
  if (incoming.incarnation !== current.incarnation) return incoming.incarnation > current.incarnation;
  return rank[incoming.status] > rank[current.status];
}

/** Statuses that announce a member (and carry its tokens). */
export function introduces(status: MemberWireStatus): boolean {
  return status === 'alive' || status === 'joining' || status === 'leaving';
}

/** A member's state as a fact for gossip: tokens ride only on facts that can introduce a member. */
export function factOf(member: MemberState): MemberUpdate {
  const fact: MemberUpdate = { id: member.id, status: member.status, incarnation: member.incarnation };
  if (introduces(member.status)) fact.tokens = member.tokens;
  return fact;
}

export type ApplyResult =
  | { kind: 'ignored' }
  /** A fact about a member we do not know, without tokens: only a full sync can tell us more. */
  | { kind: 'unknown' }
  | { kind: 'changed'; member: MemberState; previous: MemberState | undefined }
  | { kind: 'removed'; previous: MemberState };

export class MemberTable {
  private readonly members = new Map<NodeId, MemberState>();
  /** Removed ids and the incarnation of their removal, oldest first (evicted first when full). */
  private readonly tombstones = new Map<NodeId, number>();
  /** Every member with tokens, joining ones included: where writes go and what rebalancing streams to. */
  private currentFullRing: Ring;
  /** The members that serve reads (every member with tokens except joining ones); often the same object. */
  private currentRing: Ring;
  private ringDirty = false;
  private ringEpoch = 0;
  private stateChecksum: string | undefined;
  /**
   * Members that have been `leaving` here: a decommission is sticky. A member that refutes a suspicion
   * before it heard it was decommissioned announces itself alive at a higher incarnation; we keep it
   * leaving (at that incarnation) and gossip that, so the decommission reaches it after all.
   */
  private readonly decommissioned = new Set<NodeId>();
  /** The members sorted by id (the live objects), rebuilt only when a member comes or goes. */
  private sorted: MemberState[] | undefined;

  constructor(self: MemberState) {
    this.members.set(self.id, { ...self, tokens: [...self.tokens] });
    [this.currentFullRing, this.currentRing] = this.buildRings();
  }

  get size(): number {
    return this.members.size;
  }

  get(id: NodeId): MemberState | undefined {
    return this.members.get(id);
  }

  /** Every member, sorted by id (copies). */
  list(): MemberState[] {
    return this.view().map((member) => ({ ...member }));
  }

  /** The members sorted by id, without copying: read only, and only until the next change. */
  view(): readonly Readonly<MemberState>[] {
    this.sorted ??= [...this.members.values()].sort(byId);
    return this.sorted;
  }

  ids(): NodeId[] {
    return [...this.members.keys()];
  }

  /** The incarnation at which `id` was removed, if it was and is still remembered. */
  removedAt(id: NodeId): number | undefined {
    return this.tombstones.get(id);
  }

  /** The serving ring: members with tokens that are not `joining`. Reads, coordination and ownership. */
  ring(): Ring {
    return this.currentRing;
  }

  /**
   * The ring with joining members too: a joining member already takes writes for the ranges it will own
   * and streams them in, but serves no reads until it is alive (its ranges are still arriving).
   */
  fullRing(): Ring {
    return this.currentFullRing;
  }

  /** Whether any member is joining with tokens (the full ring and the serving ring differ). */
  hasPending(): boolean {
    return this.currentFullRing !== this.currentRing;
  }

  epoch(): number {
    return this.ringEpoch;
  }

  /** Sets a member's state without precedence checks: only for this node's own entry. */
  replace(member: MemberState): void {
    const current = this.members.get(member.id);
    const tokensChanged = !current || !sameTokens(current.tokens, member.tokens);
    const servingChanged = current !== undefined && joinedOrLeftJoining(current.status, member.status);
    if (current) {
      current.status = member.status;
      current.incarnation = member.incarnation;
      if (tokensChanged) current.tokens = [...member.tokens];
    } else {
      this.members.set(member.id, { ...member, tokens: [...member.tokens] });
      this.sorted = undefined;
    }
    this.changed(tokensChanged || servingChanged);
  }

  /** Applies one fact. Call `settle()` after a batch to rebuild the ring once. */
  apply(fact: MemberUpdate): ApplyResult {
    const current = this.members.get(fact.id);
    if (fact.status === 'removed') return this.applyRemoval(fact, current);
    const removedAt = this.tombstones.get(fact.id);
    if (!current) {
      if (removedAt !== undefined && fact.incarnation <= removedAt) return { kind: 'ignored' };
      if (!introduces(fact.status) || !fact.tokens) return { kind: 'unknown' };
      // A cluster holds at most clusterNodesMax members; gossip cannot grow the table past it.
      if (this.members.size >= limits.clusterNodesMax) return { kind: 'ignored' };
      const member = {
        id: fact.id,
        status: fact.status,
        incarnation: fact.incarnation,
        tokens: [...fact.tokens],
      };
      this.tombstones.delete(fact.id);
      this.members.set(fact.id, member);
      this.sorted = undefined;
      this.changed(true);
      return { kind: 'changed', member: { ...member }, previous: undefined };
    }
    if (!supersedes(fact, current)) return { kind: 'ignored' };
    const previous = { ...current };
    const tokensChanged = fact.tokens !== undefined && !sameTokens(fact.tokens, current.tokens);
    const stickyLeaving =
      this.decommissioned.has(fact.id) && (fact.status === 'alive' || fact.status === 'joining');
    if (fact.status === 'leaving') this.decommissioned.add(fact.id);
    current.status = stickyLeaving ? 'leaving' : fact.status;
    current.incarnation = fact.incarnation;
    if (tokensChanged) current.tokens = [...fact.tokens!];
    this.changed(tokensChanged || joinedOrLeftJoining(previous.status, current.status));
    return { kind: 'changed', member: { ...current }, previous };
  }

  /**
   * Rebuilds the rings if members, tokens or a joining status changed. True when either ring's checksum
   * changed (a new epoch).
   */
  settle(): boolean {
    if (!this.ringDirty) return false;
    this.ringDirty = false;
    const [full, serving] = this.buildRings();
    if (full.checksum === this.currentFullRing.checksum && serving.checksum === this.currentRing.checksum) {
      return false;
    }
    this.currentFullRing = full;
    this.currentRing = serving;
    this.ringEpoch++;
    this.stateChecksum = undefined;
    return true;
  }

  /** [full, serving]: one object when no member with tokens is joining. A member without tokens owns nothing. */
  private buildRings(): [Ring, Ring] {
    const placed = [...this.members.values()].filter((member) => member.tokens.length > 0);
    const full = Ring.fromMembers(placed);
    const serving = placed.filter((member) => member.status !== 'joining');
    return [full, serving.length === placed.length ? full : Ring.fromMembers(serving)];
  }

  /**
   * The facts to send in a full sync: every member (with tokens) and every tombstone. Tombstones travel so
   * that a node that missed a removal learns it, but they are not part of the checksum: nodes may evict
   * old tombstones at different times.
   */
  fullState(): MemberUpdate[] {
    const facts: MemberUpdate[] = this.view().map((member) => ({ ...member }));
    for (const [id, incarnation] of this.tombstones) facts.push({ id, status: 'removed', incarnation });
    return facts;
  }

  /** A digest of every member's id, status, incarnation and the ring: equal on nodes that agree. */
  checksum(): string {
    if (this.stateChecksum === undefined) {
      const text = this.view()
        .map((member) => `${member.id}/${member.status}/${member.incarnation}`)
        .join(',');
      this.stateChecksum = `${this.currentFullRing.checksum}.${hashString(text).toString(16)}`;
    }
    return this.stateChecksum;
  }

  private applyRemoval(fact: MemberUpdate, current: MemberState | undefined): ApplyResult {
    const removedAt = this.tombstones.get(fact.id);
    if (current && !supersedes(fact, current)) return { kind: 'ignored' };
    if (!current && removedAt !== undefined && removedAt >= fact.incarnation) return { kind: 'ignored' };
    this.tombstones.delete(fact.id);
    if (this.tombstones.size >= limits.membershipTombstonesMax) {
      this.tombstones.delete(this.tombstones.keys().next().value!);
    }
    this.tombstones.set(fact.id, fact.incarnation);
    if (!current) return { kind: 'ignored' };
    this.members.delete(fact.id);
    this.decommissioned.delete(fact.id);
    this.sorted = undefined;
    this.changed(true);
    return { kind: 'removed', previous: current };
  }

  private changed(ringMayChange: boolean): void {
    this.stateChecksum = undefined;
    if (ringMayChange) this.ringDirty = true;
  }
}

function byId(a: { id: NodeId }, b: { id: NodeId }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A move into or out of `joining` changes the serving ring (joining members serve no reads). */
function joinedOrLeftJoining(before: MemberStatus, after: MemberStatus): boolean {
  return (before === 'joining') !== (after === 'joining');
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
