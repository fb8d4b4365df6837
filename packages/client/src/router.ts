/**
 * Ring-aware routing: the node a keyed request should go to is its coordinator, the first live node of
 * its preference list, as the nodes themselves choose it. A request sent there is served without a
 * forwarding hop. Status unknown to the client counts as live; `suspect` and `dead` do not.
 */
import type { NodeStatus, NodesResult, RingResult } from '@ringkv/protocol';
import { RingLookup } from './ring-lookup.js';

const notLive: ReadonlySet<NodeStatus> = new Set(['suspect', 'dead']);

export class Router {
  private lookup: RingLookup | undefined;
  private readonly statuses = new Map<string, NodeStatus>();

  updateRing(ring: RingResult): void {
    this.lookup = RingLookup.fromRing(ring);
  }

  updateNodes(nodes: NodesResult): void {
    this.statuses.clear();
    for (const node of nodes.nodes) this.statuses.set(node.id, node.status);
  }

  get ring(): RingLookup | undefined {
    return this.lookup;
  }

  /** Every node the client knows of, from the ring and the node list. */
  knownNodes(): string[] {
    return [...this.statuses.keys()];
  }

  isLive(node: string): boolean {
    const status = this.statuses.get(node);
    return status === undefined || !notLive.has(status);
  }

  /** The key's coordinator, or undefined before the client has a ring. */
  coordinator(key: string): string | undefined {
    if (!this.lookup) return undefined;
    // A loop, not `find` with an arrow: this runs for every keyed call.
    for (const node of this.lookup.preferenceList(key)) if (this.isLive(node)) return node;
    return undefined;
  }
}
