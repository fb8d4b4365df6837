/** The pure rules of client-side quorum reads: when replica answers agree, and how many are needed. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplicaReadResult } from './messages.js';
import { agreedRecord, replicaAnswersNeeded } from './replica-read.js';

const ring = 'ring-a';

function held(node: string, version: number, writer: string, value: unknown): ReplicaReadResult {
  return { key: 'k', node, ring, replica: true, version, writer, value };
}

describe('agreedRecord', () => {
  it('returns the record when every replica holds the same write', () => {
    const answers = [held('a', 7, 'w1', { x: 1 }), held('b', 7, 'w1', { x: 1 })];
    expect(agreedRecord('k', answers, ring)).toEqual({ key: 'k', value: { x: 1 }, version: 7 });
  });

  it('keeps a null value (a stored JSON null is a value, not a delete)', () => {
    expect(agreedRecord('k', [held('a', 3, 'w', null), held('b', 3, 'w', null)], ring)).toEqual({
      key: 'k',
      value: null,
      version: 3,
    });
  });

  it('is missing when no replica holds a write, or all hold the same tombstone', () => {
    const none = (node: string): ReplicaReadResult => ({ key: 'k', node, ring, replica: true });
    expect(agreedRecord('k', [none('a'), none('b')], ring)).toBe('missing');
    const tombstone = (node: string): ReplicaReadResult => ({
      key: 'k',
      node,
      ring,
      replica: true,
      version: 9,
      writer: 'w',
      deleted: true,
    });
    expect(agreedRecord('k', [tombstone('a'), tombstone('b')], ring)).toBe('missing');
  });

  it('asks the coordinator when the replicas hold different writes', () => {
    const newer = held('a', 8, 'w1', 2);
    expect(agreedRecord('k', [newer, held('b', 7, 'w1', 1)], ring)).toBeUndefined();
    // Same version from two writers: two different writes (last-writer-wins breaks the tie on the writer).
    expect(agreedRecord('k', [newer, held('b', 8, 'w2', 2)], ring)).toBeUndefined();
    expect(agreedRecord('k', [newer, { key: 'k', node: 'b', ring, replica: true }], ring)).toBeUndefined();
    const tombstone: ReplicaReadResult = { ...held('b', 8, 'w1', undefined), deleted: true };
    delete tombstone.value;
    expect(agreedRecord('k', [tombstone, held('a', 7, 'w1', 1)], ring)).toBeUndefined();
  });

  it('asks the coordinator when an answer is not a replica, from another ring, or about another key', () => {
    const good = held('a', 7, 'w', 1);
    expect(agreedRecord('k', [good, { ...held('b', 7, 'w', 1), replica: false }], ring)).toBeUndefined();
    expect(agreedRecord('k', [good, { ...held('b', 7, 'w', 1), ring: 'ring-b' }], ring)).toBeUndefined();
    expect(agreedRecord('k', [good, { ...held('b', 7, 'w', 1), key: 'other' }], ring)).toBeUndefined();
    expect(agreedRecord('k', [good, held('b', 7, 'w', 1)], 'ring-b')).toBeUndefined();
    expect(agreedRecord('k', [], ring)).toBeUndefined();
  });

  it('takes digests (no key, node or value) for agreement and the value from a full answer', () => {
    const digest = (version: number, writer: string): ReplicaReadResult => ({
      ring,
      replica: true,
      version,
      writer,
    });
    const full = held('a', 7, 'w1', { x: 1 });
    const agreed = { key: 'k', value: { x: 1 }, version: 7 };
    expect(agreedRecord('k', [full, digest(7, 'w1')], ring)).toEqual(agreed);
    expect(agreedRecord('k', [digest(7, 'w1'), full], ring)).toEqual(agreed);
    expect(agreedRecord('k', [full, digest(7, 'w1'), digest(7, 'w1')], ring)).toEqual(agreed);
    // A digest of another write, from another ring or from a non-replica: the coordinator answers.
    expect(agreedRecord('k', [full, digest(8, 'w1')], ring)).toBeUndefined();
    expect(agreedRecord('k', [full, digest(7, 'w2')], ring)).toBeUndefined();
    expect(agreedRecord('k', [full, { ...digest(7, 'w1'), ring: 'ring-b' }], ring)).toBeUndefined();
    expect(agreedRecord('k', [full, { ring, replica: false }], ring)).toBeUndefined();
    // Digests alone agree on a live write but cannot give its value.
    expect(agreedRecord('k', [digest(7, 'w1'), digest(7, 'w1')], ring)).toBeUndefined();
    // Tombstones and nothing need no value; a digest that disagrees on the tombstone does not agree.
    const tombstone = { ...digest(9, 'w'), deleted: true as const };
    expect(agreedRecord('k', [{ ...tombstone, key: 'k', node: 'a' }, tombstone], ring)).toBe('missing');
    expect(
      agreedRecord(
        'k',
        [
          { key: 'k', node: 'a', ring, replica: true },
          { ring, replica: true },
        ],
        ring,
      ),
    ).toBe('missing');
    expect(agreedRecord('k', [held('a', 9, 'w', 1), tombstone], ring)).toBeUndefined();
  });

  it('agrees only when every answer names one write (property)', () => {
    const answer = fc.record({
      replica: fc.boolean(),
      ring: fc.constantFrom(ring, 'ring-b'),
      version: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      writer: fc.constantFrom('w1', 'w2'),
      deleted: fc.boolean(),
      digest: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(answer, { minLength: 1, maxLength: 4 }), (raw) => {
        const answers: ReplicaReadResult[] = raw.map((entry, index) => {
          const named = entry.digest ? {} : { key: 'k', node: `n${index}` };
          const base = { ...named, ring: entry.ring, replica: entry.replica };
          if (entry.version === undefined) return base;
          const write = { ...base, version: entry.version, writer: entry.writer };
          if (entry.deleted) return { ...write, deleted: true as const };
          return entry.digest ? write : { ...write, value: entry.version };
        });
        const result = agreedRecord('k', answers, ring);
        const first = answers[0]!;
        const oneWrite = answers.every(
          (entry) =>
            entry.replica &&
            entry.ring === ring &&
            entry.version === first.version &&
            entry.writer === first.writer &&
            Boolean(entry.deleted) === Boolean(first.deleted),
        );
        if (!oneWrite) return result === undefined;
        if (first.version === undefined || first.deleted) return result === 'missing';
        // A live write is agreed on only with its value, from an answer that is not a digest.
        const full = answers.find((entry) => 'value' in entry);
        if (full === undefined) return result === undefined;
        return typeof result === 'object' && result.version === first.version && result.value === full.value;
      }),
    );
  });
});

describe('replicaAnswersNeeded', () => {
  it('follows the node: one needs 1, all needs every replica, quorum the read quorum capped by replicas', () => {
    expect(replicaAnswersNeeded('one', 3, 2)).toBe(1);
    expect(replicaAnswersNeeded('all', 3, 2)).toBe(3);
    expect(replicaAnswersNeeded('quorum', 3, 2)).toBe(2);
    expect(replicaAnswersNeeded('quorum', 1, 2)).toBe(1);
    expect(replicaAnswersNeeded('quorum', 5, 3)).toBe(3);
    expect(replicaAnswersNeeded('all', 0, 2)).toBe(1);
  });
});
