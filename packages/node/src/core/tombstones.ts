/**
 * Tombstone collection (issue 4 item 4). A delete leaves a tombstone so that replicas which missed the
 * delete cannot bring the value back; once it is older than a grace period (longer than any hint or
 * partition we mean to heal by hints) and no replica of the key holds an older live value, nothing can
 * resurrect the key, and the tombstone can be dropped. Pure rule here; `sweepTombstones` applies it to a
 * bounded page of the store, asking the key's other replicas what they hold.
 */
import { limits } from '@ringkv/protocol';
import type { Placement, ReplicaChannel } from './coordinator.js';
import { hlcMillis } from './hlc.js';
import type { IndexedStore } from './indexed-store.js';
import { compareRecords, type NodeId, type StoredRecord } from './types.js';

/** A tombstone whose version (an HLC reading) is at least `graceMs` older than `nowMs`. */
export function tombstoneExpired(record: StoredRecord, nowMs: number, graceMs: number): boolean {
  return record.valueJson === null && hlcMillis(record.version) + graceMs <= nowMs;
}

/**
 * Whether `tombstone` may be dropped, given what every other replica of its key holds (undefined: nothing,
 * or it did not answer, which is `unknown`). Safe only when it has expired and every replica answered with
 * nothing, a tombstone, or something at least as new: no replica can resurrect an older value.
 */
export function tombstoneCollectable(
  tombstone: StoredRecord,
  replicas: ReadonlyArray<StoredRecord | undefined | 'unknown'>,
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

export interface SweepDeps {
  self: NodeId;
  store: IndexedStore;
  placement: Placement;
  channel: Pick<ReplicaChannel, 'readReplica'>;
  replicationFactor: number;
  nowMs: number;
  graceMs: number;
  /** Records examined by this sweep at most. */
  recordsMax?: number;
}

/**
 * Examines one page of the store after `after` (wrapping the ring), drops the tombstones the rule allows,
 * and returns where the next sweep continues and how many it dropped.
 */
export async function sweepTombstones(
  deps: SweepDeps,
  after: { token: number; key: string } | undefined,
): Promise<{ next: { token: number; key: string } | undefined; dropped: number }> {
  const page = deps.store.scan({
    startExclusive: 0,
    endInclusive: 0,
    limit: deps.recordsMax ?? limits.streamBatchRecordsMax,
    includeTombstones: true,
    ...(after ? { after } : {}),
  });
  let dropped = 0;
  for (const record of page) {
    if (!tombstoneExpired(record, deps.nowMs, deps.graceMs)) continue;
    const others = deps.placement
      .ring()
      .preferenceList(record.key, deps.replicationFactor)
      .filter((id) => id !== deps.self);
    const held = await Promise.all(
      others.map((id) => deps.channel.readReplica(id, record.key).catch((): 'unknown' => 'unknown')),
    );
    if (!tombstoneCollectable(record, held, deps.nowMs, deps.graceMs)) continue;
    if (await deps.store.purge(record.key, record.version)) dropped++;
  }
  const last = page.at(-1);
  return { next: last ? { token: last.token, key: last.key } : undefined, dropped };
}
