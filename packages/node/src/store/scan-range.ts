/**
 * Turns a token range of `ScanOptions`, which may wrap past 2^32 - 1, into at most two plain segments in
 * ring order, and places an `after` cursor in them. Both engines walk the segments the same way.
 */
import { assert } from '../core/types.js';
import type { ScanOptions } from './store.js';

export const tokenMax = 0xffff_ffff;

/** Tokens in (lower, upperInclusive]; `lowerKey` set means "after (lower, lowerKey)" instead. */
export interface ScanSegment {
  lower: number;
  lowerKey?: string;
  upperInclusive: number;
}

function isToken(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= tokenMax;
}

/** The segments left to scan, in order. A range with start === end is the whole ring. */
export function scanSegments(options: ScanOptions): ScanSegment[] {
  const { startExclusive: start, endInclusive: end, after } = options;
  assert(isToken(start) && isToken(end), `scan range must be tokens, got (${start}, ${end}]`);
  const segments: ScanSegment[] =
    start < end
      ? [{ lower: start, upperInclusive: end }]
      : [
          { lower: start, upperInclusive: tokenMax },
          { lower: -1, upperInclusive: end },
        ];
  if (after === undefined) return segments.filter((segment) => segment.lower < segment.upperInclusive);
  assert(isToken(after.token), `scan cursor must hold a token, got ${after.token}`);
  const index = segments.findIndex(
    (segment) => after.token > segment.lower && after.token <= segment.upperInclusive,
  );
  // A cursor outside the range means the caller changed ranges between pages: nothing is left to return.
  if (index < 0) return [];
  const resumed = segments.slice(index);
  resumed[0] = { lower: after.token, lowerKey: after.key, upperInclusive: resumed[0]!.upperInclusive };
  return resumed;
}
