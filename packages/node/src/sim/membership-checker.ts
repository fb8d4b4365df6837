/**
 * Convergence checks for membership: every running node reports the same members, statuses,
 * incarnations and ring checksum, and that view matches what the scenario expects (running nodes alive,
 * crashed ones dead, departed ones gone).
 */
import type { NodeId } from '../core/types.js';
import type { SimCluster } from './harness.js';
import type { MembershipSimNode } from './membership-node.js';

export interface Expectation {
  alive: readonly NodeId[];
  dead: readonly NodeId[];
  leaving?: readonly NodeId[];
}

/** One node's view as comparable text. */
export function viewOf(node: MembershipSimNode): string {
  const members = node.membership.members().map((m) => `${m.id}=${m.status}@${m.incarnation}`);
  return `${members.join(' ')} ring=${node.membership.checksum()}`;
}

function observers(cluster: SimCluster<MembershipSimNode>): NodeId[] {
  return cluster.running().filter((id) => cluster.node(id).membership.running());
}

/** Why the cluster has not converged to `expected`, or undefined when it has. */
export function divergence(
  cluster: SimCluster<MembershipSimNode>,
  expected: Expectation,
): string | undefined {
  const ids = observers(cluster);
  if (ids.length === 0) return 'no running node';
  const want = new Map<NodeId, string>();
  for (const id of expected.alive) want.set(id, 'alive');
  for (const id of expected.dead) want.set(id, 'dead');
  for (const id of expected.leaving ?? []) want.set(id, 'leaving');
  const views = new Map<string, NodeId[]>();
  for (const id of ids) {
    const node = cluster.node(id);
    const members = node.membership.members();
    const wrong = members.find((m) => want.get(m.id) !== m.status);
    if (wrong) return `${id} sees ${wrong.id} ${wrong.status}, expected ${want.get(wrong.id) ?? 'absent'}`;
    if (members.length !== want.size) return `${id} lists ${members.length} members, expected ${want.size}`;
    const view = viewOf(node);
    views.set(view, [...(views.get(view) ?? []), id]);
  }
  if (views.size > 1) {
    return `views differ:\n${[...views].map(([view, by]) => `    ${by.join(',')}: ${view}`).join('\n')}`;
  }
  return undefined;
}
