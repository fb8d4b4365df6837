/**
 * add_node (`Membership.admit`): this node offers its full state to a running node that is not a member,
 * at once and then once per protocol period, until that node appears in our table (it answered with
 * its own state and the two merged) or `limits.membershipAdmitAttemptsMax` repeated offers went unanswered.
 */
import { limits, RingKvError } from '@ringkv/protocol';
import type { MemberTable } from './member-table.js';
import type { NodeId } from './types.js';

export interface AdmissionDeps {
  table: Pick<MemberTable, 'get'>;
  /** Sends our full state to `to`, asking for its own (push-pull). */
  offer: (to: NodeId) => void;
  /** Called before the first offer: a node that admits another founds a cluster (its tokens are final). */
  founding: () => void;
}

export class Admission {
  /** Nodes being admitted and the offers each has left. */
  private readonly attemptsLeft = new Map<NodeId, number>();

  constructor(private readonly deps: AdmissionDeps) {}

  get size(): number {
    return this.attemptsLeft.size;
  }

  /** Starts offering our state to `id`; UNAVAILABLE when `limits.clusterNodesMax` admissions are open. */
  admit(id: NodeId): void {
    if (this.attemptsLeft.size >= limits.clusterNodesMax) {
      throw new RingKvError(
        'UNAVAILABLE',
        `already admitting ${this.attemptsLeft.size} nodes; try again later`,
      );
    }
    this.deps.founding();
    this.attemptsLeft.set(id, limits.membershipAdmitAttemptsMax);
    this.deps.offer(id);
  }

  /** Once per protocol period: offer again to every node not yet a member, drop the done and the spent. */
  tick(): void {
    for (const [id, attemptsLeft] of this.attemptsLeft) {
      if (this.deps.table.get(id) || attemptsLeft <= 0) this.attemptsLeft.delete(id);
      else {
        this.attemptsLeft.set(id, attemptsLeft - 1);
        this.deps.offer(id);
      }
    }
  }
}
