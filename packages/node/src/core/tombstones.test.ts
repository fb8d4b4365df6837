import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hlcFrom } from './hlc.js';
import { type ReplicaAnswer, tombstoneCollectable, tombstoneExpired } from './tombstones.js';
import { compareRecords, type StoredRecord } from './types.js';

const graceMs = 60_000;
const nowMs = 1_000_000;
const at = (ms: number, valueJson: string | null = null, writer = 'a:1'): StoredRecord => ({
  valueJson,
  version: hlcFrom(ms, 0),
  writer,
});

describe('tombstone collection rule', () => {
  const old = at(nowMs - graceMs - 1);
  it('keeps live records and tombstones younger than the grace period', () => {
    expect(tombstoneExpired(at(nowMs - graceMs - 1, '1'), nowMs, graceMs)).toBe(false);
    expect(tombstoneExpired(at(nowMs - graceMs + 1), nowMs, graceMs)).toBe(false);
    expect(tombstoneExpired(at(nowMs - graceMs), nowMs, graceMs)).toBe(true);
    expect(tombstoneExpired(old, nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(at(nowMs - 1), [undefined, undefined], nowMs, graceMs)).toBe(false);
  });
  it('drops an expired tombstone only when no replica could resurrect an older value', () => {
    expect(tombstoneCollectable(old, [old, old], nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(old, [undefined, old], nowMs, graceMs)).toBe(true);
    expect(tombstoneCollectable(old, [at(nowMs - 5, '"newer"'), old], nowMs, graceMs)).toBe(true);
    // A replica that missed the delete still holds the older value: keep the tombstone.
    expect(tombstoneCollectable(old, [at(nowMs - graceMs - 10, '"older"'), old], nowMs, graceMs)).toBe(false);
    // A replica that did not answer might: keep it too.
    expect(tombstoneCollectable(old, ['unknown', old], nowMs, graceMs)).toBe(false);
    // A ring of one: nobody else to ask.
    expect(tombstoneCollectable(old, [], nowMs, graceMs)).toBe(true);
  });

  // Versions around the grace boundary, live or deleted, from two writers, so every comparison is hit.
  const record = fc
    .record({
      ageMs: fc.integer({ min: 0, max: 2 * graceMs }),
      logical: fc.integer({ min: 0, max: 3 }),
      live: fc.boolean(),
      writer: fc.constantFrom('a:1', 'b:1'),
    })
    .map(({ ageMs, logical, live, writer }) => ({
      valueJson: live ? '"v"' : null,
      version: hlcFrom(nowMs - ageMs, logical),
      writer,
    }));
  const answer: fc.Arbitrary<ReplicaAnswer> = fc.oneof(
    record,
    fc.constant(undefined),
    fc.constant('unknown' as const),
  );

  it('property: collectable exactly when expired, every replica answered, and none holds an older value', () => {
    fc.assert(
      fc.property(record, fc.array(answer, { maxLength: 6 }), (tombstone, replicas) => {
        const expected =
          tombstone.valueJson === null &&
          nowMs - Math.floor(tombstone.version / 2 ** 12) >= graceMs &&
          replicas.every(
            (held) =>
              held !== 'unknown' &&
              (held === undefined || held.valueJson === null || compareRecords(held, tombstone) >= 0),
          );
        expect(tombstoneCollectable(tombstone, replicas, nowMs, graceMs)).toBe(expected);
      }),
      { seed: 42, numRuns: 2_000 },
    );
  });

  it('property: whatever the replicas answer, collection never leaves an older live value unshadowed', () => {
    fc.assert(
      fc.property(record, fc.array(answer, { maxLength: 6 }), (tombstone, replicas) => {
        if (!tombstoneCollectable(tombstone, replicas, nowMs, graceMs)) return;
        for (const held of replicas) {
          expect(held).not.toBe('unknown');
          if (held && held !== 'unknown' && held.valueJson !== null) {
            expect(compareRecords(held, tombstone)).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { seed: 42, numRuns: 2_000 },
    );
  });
});
