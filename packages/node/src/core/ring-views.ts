/**
 * The rings one node routes by, derived from membership and cached until the membership state changes:
 *
 * - `routing()`: the serving ring (no joining members), or, once this node has handed all its ranges over
 *   on decommission (`retire()`), the serving ring without this node: it then forwards every operation to
 *   the key's other replicas instead of coordinating while the others drop it from their rings (its own
 *   quorum requests would fail as they close their links to it).
 * - `future()`: where keys live once every joining member has joined and every leaving member has left;
 *   undefined when that is the serving ring. Writes also go, uncounted, to the replicas the future ring
 *   adds (pending replicas), so a range moving in either direction misses no write made during the move.
 */
import type { Membership } from './membership.js';
import type { Ring } from './ring.js';
import type { NodeId } from './types.js';

type MembershipView = Pick<Membership, 'ring' | 'fullRing' | 'members' | 'stateChecksum'>;

export class RingViews {
  private key: string | undefined;
  private routingRing: Ring | undefined;
  private futureRing: Ring | undefined;
  private retired = false;

  constructor(
    private readonly membership: MembershipView,
    private readonly self: NodeId,
  ) {}

  /** This node has streamed all its ranges away (remove_node): stop coordinating, forward everything. */
  retire(): void {
    this.retired = true;
    this.key = undefined;
  }

  routing(): Ring {
    this.refresh();
    return this.routingRing!;
  }

  future(): Ring | undefined {
    this.refresh();
    return this.futureRing;
  }

  private refresh(): void {
    const key = this.membership.stateChecksum();
    if (key === this.key) return;
    const serving = this.membership.ring();
    this.routingRing = this.retired ? serving.removeNode(this.self) : serving;
    let future = this.membership.fullRing();
    for (const member of this.membership.members()) {
      if (member.status === 'leaving') future = future.removeNode(member.id);
    }
    this.futureRing = future.checksum === serving.checksum || future.size === 0 ? undefined : future;
    this.key = key;
  }
}
