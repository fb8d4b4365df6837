import { describe, expect, it } from 'vitest';
import { scanSegments, tokenMax } from './scan-range.js';

describe('scanSegments', () => {
  it('keeps a plain range as one segment', () => {
    expect(scanSegments({ startExclusive: 10, endInclusive: 20, limit: 1 })).toEqual([
      { lower: 10, upperInclusive: 20 },
    ]);
  });

  it('splits a wrapping range at 2^32 - 1, and reads start === end as the whole ring', () => {
    expect(scanSegments({ startExclusive: 20, endInclusive: 10, limit: 1 })).toEqual([
      { lower: 20, upperInclusive: tokenMax },
      { lower: -1, upperInclusive: 10 },
    ]);
    expect(scanSegments({ startExclusive: 5, endInclusive: 5, limit: 1 })).toEqual([
      { lower: 5, upperInclusive: tokenMax },
      { lower: -1, upperInclusive: 5 },
    ]);
    expect(scanSegments({ startExclusive: tokenMax, endInclusive: tokenMax, limit: 1 })).toEqual([
      { lower: -1, upperInclusive: tokenMax },
    ]);
  });

  it('resumes inside the segment that holds the cursor', () => {
    const wrapping = { startExclusive: 20, endInclusive: 10, limit: 1 };
    expect(scanSegments({ ...wrapping, after: { token: 30, key: 'k' } })).toEqual([
      { lower: 30, lowerKey: 'k', upperInclusive: tokenMax },
      { lower: -1, upperInclusive: 10 },
    ]);
    expect(scanSegments({ ...wrapping, after: { token: 0, key: 'k' } })).toEqual([
      { lower: 0, lowerKey: 'k', upperInclusive: 10 },
    ]);
    // A cursor outside the range (the caller changed ranges between pages) leaves nothing to scan.
    expect(scanSegments({ ...wrapping, after: { token: 15, key: 'k' } })).toEqual([]);
  });

  it('refuses bounds that are not tokens', () => {
    expect(() => scanSegments({ startExclusive: -1, endInclusive: 3, limit: 1 })).toThrow(/tokens/);
    expect(() => scanSegments({ startExclusive: 0, endInclusive: 2 ** 32, limit: 1 })).toThrow(/tokens/);
    expect(() => scanSegments({ startExclusive: 0.5, endInclusive: 3, limit: 1 })).toThrow(/tokens/);
  });
});
