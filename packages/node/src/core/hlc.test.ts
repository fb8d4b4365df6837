import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridLogicalClock, hlcFrom, hlcLogical, hlcMillis } from './hlc.js';
import { compareRecords } from './types.js';

function clockAt(times: number[]) {
  let i = 0;
  return { nowMs: () => times[Math.min(i++, times.length - 1)]! };
}

describe('hybrid logical clock', () => {
  it('packs milliseconds and a logical counter into a safe integer', () => {
    const reading = hlcFrom(1_900_000_000_000, 17);
    expect(Number.isSafeInteger(reading)).toBe(true);
    expect(hlcMillis(reading)).toBe(1_900_000_000_000);
    expect(hlcLogical(reading)).toBe(17);
  });

  it('is strictly increasing whatever the wall clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_000_000_000_000 }), { minLength: 1, maxLength: 200 }),
        (times) => {
          const hlc = new HybridLogicalClock(clockAt(times));
          let previous = -1;
          for (let i = 0; i < times.length; i++) {
            const reading = hlc.now();
            expect(reading).toBeGreaterThan(previous);
            previous = reading;
          }
        },
      ),
    );
  });

  it('orders a local event after any observed remote reading', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (remote, wall) => {
          const hlc = new HybridLogicalClock({ nowMs: () => wall });
          hlc.observe(remote);
          expect(hlc.now()).toBeGreaterThan(remote);
        },
      ),
    );
  });

  it('follows the wall clock when it is ahead', () => {
    const hlc = new HybridLogicalClock(clockAt([1000, 1000, 2000]));
    expect(hlc.now()).toBe(hlcFrom(1000, 0));
    expect(hlc.now()).toBe(hlcFrom(1000, 1));
    expect(hlc.now()).toBe(hlcFrom(2000, 0));
  });
});

describe('last-writer-wins order', () => {
  it('orders by version, then writer, and is a total order', () => {
    const record = fc.record({
      version: fc.integer({ min: 0, max: 100 }),
      writer: fc.constantFrom('a:1', 'b:1', 'c:1'),
    });
    fc.assert(
      fc.property(record, record, record, (a, b, c) => {
        expect(Math.sign(compareRecords(a, b)) + Math.sign(compareRecords(b, a))).toBe(0); // + avoids -0 vs 0
        if (compareRecords(a, b) <= 0 && compareRecords(b, c) <= 0)
          expect(compareRecords(a, c)).toBeLessThanOrEqual(0);
        if (compareRecords(a, b) === 0) expect(a).toEqual(b);
      }),
    );
  });
});
