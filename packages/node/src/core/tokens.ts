/**
 * Token allocation for a joining node, after Cassandra's token allocator (CASSANDRA-7032): instead of
 * random tokens, the newcomer places each of its tokens inside a range of the most loaded node, taking
 * just enough that every node ends near the ideal share 2^32 / (N + 1).
 *
 * The existing tokens never move, so a join moves only the keys the newcomer takes (about 1/(N + 1)).
 * The result is a pure function of (ring, id, vnodes); note it depends on the ring the joiner saw, so a
 * node's tokens travel with its membership rather than being recomputed by every peer.
 */

import { hashString } from './hash.js';
import { assertVnodes, type Ring, tokenSpace } from './ring.js';
import { assert, type NodeId } from './types.js';

interface OwnedRange {
  /** The range is (start, end]; `end` is the owner's token and never moves. */
  start: number;
  end: number;
  width: number;
}

interface Donor {
  id: NodeId;
  /** Token space owned as primary: the sum of its range widths. */
  load: number;
  ranges: OwnedRange[];
}

/** Tokens for a new node joining `ring`, chosen to split the most loaded ranges; ascending. */
export function allocateTokens(ring: Ring, id: NodeId, vnodes: number): number[] {
  assertVnodes(vnodes);
  assert(!ring.has(id), `allocateTokens: ${id} is already a member`);
  if (ring.tokenCount === 0) return evenlySpacedTokens(id, vnodes);
  const donors = donorsOf(ring);
  const target = tokenSpace / (ring.size + 1);
  let needed = target;
  const chosen: number[] = [];
  // Each round takes a slice from the most loaded donor; a donor whose ranges are all too narrow to split
  // is left out. The loop ends after `vnodes` tokens or when no range can be split.
  for (let placed = 0; placed < vnodes; placed++) {
    const donor = mostLoaded(donors);
    if (donor === undefined) break;
    const range = widestRange(donor)!;
    const quota = needed / (vnodes - placed);
    const excess = donor.load - target;
    // Take the per-token quota, but never more than brings the donor below the target, and leave the
    // donor at least one token of the range (its own end token).
    const amount = Math.max(1, Math.min(Math.floor(quota), Math.floor(excess), range.width - 1));
    const token = (range.start + amount) % tokenSpace;
    chosen.push(token);
    range.start = token;
    range.width -= amount;
    donor.load -= amount;
    needed -= amount;
  }
  return chosen.sort((a, b) => a - b);
}

/** The first node's tokens: evenly spaced, offset by a hash of its id so clusters differ. */
export function evenlySpacedTokens(id: NodeId, vnodes: number): number[] {
  assertVnodes(vnodes);
  const spacing = Math.floor(tokenSpace / vnodes);
  const offset = hashString(id) % spacing;
  const tokens: number[] = [];
  for (let i = 0; i < vnodes; i++) tokens.push(offset + i * spacing);
  return tokens;
}

function donorsOf(ring: Ring): Donor[] {
  const byId = new Map<NodeId, Donor>();
  for (const id of ring.nodes()) byId.set(id, { id, load: 0, ranges: [] });
  const count = ring.tokenCount;
  for (let i = 0; i < count; i++) {
    const end = ring.tokenAt(i);
    const start = ring.tokenAt(i === 0 ? count - 1 : i - 1);
    const width = end > start ? end - start : end - start + tokenSpace;
    const donor = byId.get(ring.nodeAt(i))!;
    donor.ranges.push({ start, end, width });
    donor.load += width;
  }
  return [...byId.values()];
}

/** The donor with the largest load that still has a splittable range; ties go to the smaller id. */
function mostLoaded(donors: readonly Donor[]): Donor | undefined {
  let best: Donor | undefined;
  for (const donor of donors) {
    if (best !== undefined && donor.load <= best.load) continue;
    const widest = widestRange(donor);
    if (widest !== undefined && widest.width >= 2) best = donor;
  }
  return best;
}

/** The donor's widest range; ties go to the smaller end token (ranges are kept in token order). */
function widestRange(donor: Donor): OwnedRange | undefined {
  let best: OwnedRange | undefined;
  for (const range of donor.ranges) if (best === undefined || range.width > best.width) best = range;
  return best;
}
