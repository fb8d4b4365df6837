/**
 * Interpolation between two rings so that a ring change (a node joins or leaves) animates instead of
 * jumping. Each arc is identified by the vnode that owns it (`node@endToken`); its end never moves, only
 * its length: a new vnode's arc grows from nothing, the arc it splits shrinks, a removed vnode's arc
 * shrinks to nothing while its neighbour grows back over the freed span.
 */
import { clockwiseDistance, type OwnedRange, tokenSpace } from './ring.js';

export interface ArcFrame extends OwnedRange {
  key: string;
  /** 1 for arcs on both rings; fades in for new vnodes and out for removed ones. */
  opacity: number;
}

export function arcKey(range: Pick<OwnedRange, 'node' | 'endToken'>): string {
  return `${range.node}@${range.endToken}`;
}

/** Smooth start and stop; maps [0, 1] onto [0, 1]. */
export function easeInOutCubic(progress: number): number {
  const clamped = Math.min(1, Math.max(0, progress));
  return clamped < 0.5 ? 4 * clamped ** 3 : 1 - (-2 * clamped + 2) ** 3 / 2;
}

function frame(range: OwnedRange, key: string, length: number, opacity: number): ArcFrame {
  const startToken = (range.endToken - length + tokenSpace) % tokenSpace;
  return { node: range.node, endToken: range.endToken, key, startToken, length, opacity };
}

/** Arcs as they stand at `progress` (0 = before, 1 = after) of the transition, eased. */
export function interpolateArcs(
  before: readonly OwnedRange[],
  after: readonly OwnedRange[],
  progress: number,
): ArcFrame[] {
  const eased = easeInOutCubic(progress);
  const beforeByKey = new Map(before.map((range) => [arcKey(range), range]));
  const afterKeys = new Set<string>();
  const frames: ArcFrame[] = [];
  for (const range of after) {
    const key = arcKey(range);
    afterKeys.add(key);
    const previous = beforeByKey.get(key);
    const lengthBefore = previous?.length ?? 0;
    const length = lengthBefore + (range.length - lengthBefore) * eased;
    frames.push(frame(range, key, length, previous ? 1 : eased));
  }
  if (eased < 1) {
    for (const range of before) {
      const key = arcKey(range);
      if (afterKeys.has(key)) continue;
      frames.push(frame(range, key, range.length * (1 - eased), 1 - eased));
    }
  }
  return frames;
}

/** True when two rings are the same set of arcs (no animation needed). */
export function sameArcs(left: readonly OwnedRange[], right: readonly OwnedRange[]): boolean {
  if (left.length !== right.length) return false;
  return left.every((range, index) => {
    const other = right[index]!;
    return (
      range.node === other.node &&
      range.endToken === other.endToken &&
      clockwiseDistance(range.startToken, other.startToken) === 0
    );
  });
}
