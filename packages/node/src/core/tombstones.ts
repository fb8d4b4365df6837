/**
 * Tombstone collection (issue 4 item 4). A delete leaves a tombstone so that replicas which missed the
 * delete cannot bring the value back; once it is older than a grace period (longer than any hint or
 * partition we mean to heal by hints) and no replica of the key holds an older live value, nothing can
 * resurrect the key, and the tombstone can be dropped. Pure rule here; core/sweeper.ts applies it to a
 * bounded page of the store per tick, asking the key's other replicas what they hold.
 */
import { hlcMillis } from './hlc.js';
import { compareRecords, type StoredRecord } from './types.js';

/** A tombstone whose version (an HLC reading) is at least `graceMs` older than `nowMs`. */
export function tombstoneExpired(record: StoredRecord, nowMs: number, graceMs: number): boolean {
  return record.valueJson === null && hlcMillis(record.version) + graceMs <= nowMs;
}

/** What a replica answered for a key: its record, nothing (undefined), or no answer at all. */
export type ReplicaAnswer = StoredRecord | undefined | 'unknown';

/**
 * Whether `tombstone` may be dropped, given what every other replica of its key holds (undefined: nothing,
 * or it did not answer, which is `unknown`). Safe only when it has expired and every replica answered with
 * nothing, a tombstone, or something at least as new: no replica can resurrect an older value.
 */
export function tombstoneCollectable(
  tombstone: StoredRecord,
  replicas: readonly ReplicaAnswer[],
  nowMs: number,
  graceMs: number,
): boolean {
  if (!tombstoneExpired(tombstone, nowMs, graceMs)) return false;
  return replicas.every(
    (held) =>
      held !== 'unknown' &&
      (held === undefined || held.valueJson === null || compareRecords(held, tombstone) >= 0),
  );
}
