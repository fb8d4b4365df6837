/**
 * Pure geometry of the consistent-hash ring: tokens -> owned ranges, preference lists and the walk a key
 * takes clockwise to find its replicas. No React, no DOM: the views draw what these functions return.
 *
 * Convention (SPEC 5): a key is stored on the first `replicationFactor` distinct nodes clockwise from its
 * token. A vnode with token T owns the range (previous token, T]: keys whose token is > the previous
 * vnode's token and <= T.
 */

export const tokenSpace = 2 ** 32;

export interface RingToken {
  token: number;
  node: string;
}

/** The range (startToken, endToken] owned by the vnode at endToken. `length` is in tokens, wrap-aware. */
export interface OwnedRange {
  startToken: number;
  endToken: number;
  length: number;
  node: string;
}

/** Tokens in ring order; equal tokens (hash collisions) order by node so every view agrees. */
export function sortTokens(tokens: readonly RingToken[]): RingToken[] {
  return [...tokens].sort((a, b) => a.token - b.token || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** Clockwise distance from `from` to `to` in tokens, in [0, 2^32). */
export function clockwiseDistance(from: number, to: number): number {
  const difference = to - from;
  return difference >= 0 ? difference : difference + tokenSpace;
}

/** A token as a fraction of the full turn, 0 at the top, growing clockwise. */
export function tokenToTurn(token: number): number {
  return token / tokenSpace;
}

/** Each vnode's range. A single vnode owns the whole ring (length 2^32). Input must be sorted. */
export function ringRanges(sorted: readonly RingToken[]): OwnedRange[] {
  if (sorted.length === 0) return [];
  return sorted.map((current, index) => {
    const previous = sorted[(index - 1 + sorted.length) % sorted.length]!;
    const length = sorted.length === 1 ? tokenSpace : clockwiseDistance(previous.token, current.token);
    return { startToken: previous.token, endToken: current.token, length, node: current.node };
  });
}

/** Index of the vnode that owns `position`: the first token >= position, wrapping to 0. Binary search. */
export function ownerIndex(sorted: readonly RingToken[], position: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]!.token < position) low = middle + 1;
    else high = middle;
  }
  return low === sorted.length ? 0 : low;
}

export interface WalkStep {
  node: string;
  /** The token of the first vnode of `node` met clockwise from the start of the walk. */
  token: number;
  /** Clockwise distance from the start position to `token`. */
  distance: number;
}

/**
 * The walk clockwise from `position`, recording the first vnode of each distinct node, until `count`
 * distinct nodes are found or the ring is exhausted. Its nodes are the preference list for that position.
 */
export function preferenceWalk(sorted: readonly RingToken[], position: number, count: number): WalkStep[] {
  const steps: WalkStep[] = [];
  if (sorted.length === 0) return steps;
  const seen = new Set<string>();
  const start = ownerIndex(sorted, position);
  for (let offset = 0; offset < sorted.length && steps.length < count; offset += 1) {
    const vnode = sorted[(start + offset) % sorted.length]!;
    if (seen.has(vnode.node)) continue;
    seen.add(vnode.node);
    steps.push({ node: vnode.node, token: vnode.token, distance: clockwiseDistance(position, vnode.token) });
  }
  return steps;
}

/**
 * Where each of `nodes` (an authoritative preference list, e.g. a node's /get_node answer) is first met
 * clockwise from `position`. Nodes without a vnode on this ring (a ring that is out of date) are left out.
 */
export function walkToNodes(
  sorted: readonly RingToken[],
  position: number,
  nodes: readonly string[],
): WalkStep[] {
  const wanted = new Set(nodes);
  const firstMet = new Map<string, WalkStep>();
  const start = ownerIndex(sorted, position);
  for (let offset = 0; offset < sorted.length && firstMet.size < wanted.size; offset += 1) {
    const vnode = sorted[(start + offset) % sorted.length]!;
    if (!wanted.has(vnode.node) || firstMet.has(vnode.node)) continue;
    firstMet.set(vnode.node, {
      node: vnode.node,
      token: vnode.token,
      distance: clockwiseDistance(position, vnode.token),
    });
  }
  return nodes.flatMap((node) => {
    const step = firstMet.get(node);
    return step ? [step] : [];
  });
}

/** The fraction of the ring each node owns as primary. Fractions sum to 1 on a non-empty ring. */
export function primaryShares(ranges: readonly OwnedRange[]): Map<string, number> {
  const shares = new Map<string, number>();
  for (const range of ranges)
    shares.set(range.node, (shares.get(range.node) ?? 0) + range.length / tokenSpace);
  return shares;
}

/**
 * For every vnode range, its preference list of `replicationFactor` distinct nodes (primary first).
 * O(vnodes x walk length); the walk is short because vnodes of distinct nodes interleave.
 */
export function rangePreferenceLists(sorted: readonly RingToken[], replicationFactor: number): string[][] {
  return sorted.map((vnode) =>
    preferenceWalk(sorted, vnode.token, replicationFactor).map((step) => step.node),
  );
}

/** The fraction of the ring each node stores as any replica (primary or not). Each sums to <= 1. */
export function replicaShares(
  ranges: readonly OwnedRange[],
  preferenceLists: readonly (readonly string[])[],
): Map<string, number> {
  const shares = new Map<string, number>();
  ranges.forEach((range, index) => {
    for (const node of preferenceLists[index] ?? []) {
      shares.set(node, (shares.get(node) ?? 0) + range.length / tokenSpace);
    }
  });
  return shares;
}

/** Distinct node ids on the ring, sorted. */
export function ringNodes(tokens: readonly RingToken[]): string[] {
  return [...new Set(tokens.map((vnode) => vnode.node))].sort();
}
