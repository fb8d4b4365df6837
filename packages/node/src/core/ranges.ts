/**
 * What moves when the ring changes: the token ranges whose replica set (the first n distinct nodes
 * clockwise) differs between two rings. Rebalancing streams each such range from `sources` to `targets`.
 *
 * Ranges follow the ring's convention: (startExclusive, endInclusive], wrapping past 2^32 - 1 when
 * startExclusive >= endInclusive, the whole ring when they are equal.
 */
import { coalesceSegments, type Ring, type TokenRange, tokenSpace } from './ring.js';
import type { NodeId } from './types.js';

export interface RangeMove {
  startExclusive: number;
  endInclusive: number;
  /** The range's replicas in `before`, in preference order (primary first): every one holds its data. */
  sources: NodeId[];
  /** Replicas in `after` that were not replicas in `before`: they must receive the range's data. */
  targets: NodeId[];
}

/**
 * Ranges whose replica set (first n distinct nodes) differs between two rings: where data must stream
 * from and to. A range whose set only shrinks (fewer nodes than n remain) is listed with no targets; a range
 * whose replicas only change order is not listed, since nobody needs new data for it.
 */
export function movedRanges(before: Ring, after: Ring, n: number): RangeMove[] {
  const ends = unionOfTokens(before, after);
  if (ends.length === 0) return [];
  const labels = new Array<{ sources: NodeId[]; targets: NodeId[] } | null>(ends.length);
  for (let j = 0; j < ends.length; j++) {
    // No token of either ring lies strictly inside segment j, so one lookup at its end stands for all of it.
    const sources = before.tokenCount === 0 ? [] : [...before.preferenceListForToken(ends[j]!, n)];
    const replicas = after.tokenCount === 0 ? [] : after.preferenceListForToken(ends[j]!, n);
    const targets = replicas.filter((node) => !sources.includes(node));
    const unchanged = targets.length === 0 && sources.length === replicas.length;
    labels[j] = unchanged ? null : { sources, targets };
  }
  const sameMove = (a: { sources: NodeId[]; targets: NodeId[] }, b: typeof a) =>
    sameList(a.sources, b.sources) && sameList(a.targets, b.targets);
  return coalesceSegments(ends, labels, sameMove).map(({ startExclusive, endInclusive, label }) => ({
    startExclusive,
    endInclusive,
    sources: label.sources,
    targets: label.targets,
  }));
}

/** Whether `token` lies in (startExclusive, endInclusive], with the ring's wrap-around convention. */
export function rangeContains(range: TokenRange, token: number): boolean {
  const { startExclusive, endInclusive } = range;
  if (startExclusive < endInclusive) return token > startExclusive && token <= endInclusive;
  return token > startExclusive || token <= endInclusive;
}

/** How many tokens the range spans, from 1 to 2^32. */
export function rangeWidth(range: TokenRange): number {
  const width = range.endInclusive - range.startExclusive;
  return width > 0 ? width : width + 2 ** 32;
}

/** Each node's primary share of the token space (the ranges it is first replica of), in `ring.nodes()` order. */
export function primaryShares(ring: Ring): number[] {
  return ring.nodes().map((id) => {
    const width = ring.rangesOf(id, 1).reduce((sum, range) => sum + rangeWidth(range), 0);
    return width / tokenSpace;
  });
}

function unionOfTokens(before: Ring, after: Ring): Uint32Array {
  const all = new Uint32Array(before.tokenCount + after.tokenCount);
  for (let i = 0; i < before.tokenCount; i++) all[i] = before.tokenAt(i);
  for (let i = 0; i < after.tokenCount; i++) all[before.tokenCount + i] = after.tokenAt(i);
  all.sort();
  let count = 0;
  for (let i = 0; i < all.length; i++) if (count === 0 || all[count - 1] !== all[i]) all[count++] = all[i]!;
  return all.slice(0, count);
}

function sameList(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}
