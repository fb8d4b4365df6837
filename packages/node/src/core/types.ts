/**
 * The small interfaces through which the pure core meets the world (DESIGN: Transport, Clock, Random,
 * Store are passed to constructors, never reached through module globals). The real node passes adapters
 * from `io/`; the simulator passes virtual ones from `sim/`.
 */

/** A node's id is its advertised address, `HOST:PORT`. */
export type NodeId = string;

export interface TimerHandle {
  cancel(): void;
}

/** Time, as the core may see it. The simulator's clock is virtual; the node's is the wall clock. */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (virtual in the simulator). */
  nowMs(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/** Randomness, as the core may draw it: seeded in the simulator. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  int(bound: number): number;
}

/**
 * A versioned record as replicas store and exchange it. `valueJson` is the value's JSON text, kept as text
 * end to end so forwarding never re-serialises it; `null` is a tombstone (a delete).
 * Ordering is last-writer-wins: larger `version` (a hybrid logical clock reading) wins, then larger `writer`.
 */
export interface StoredRecord {
  valueJson: string | null;
  version: number;
  writer: NodeId;
}

/** Negative when `a` is older than `b`, positive when newer, 0 for the same write. */
export function compareRecords(
  a: Pick<StoredRecord, 'version' | 'writer'>,
  b: Pick<StoredRecord, 'version' | 'writer'>,
): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.writer === b.writer) return 0;
  return a.writer < b.writer ? -1 : 1;
}

/** Whether `held` is exactly the write `id` names (same version and writer); false when nothing is held. */
export function sameWrite(
  held: Pick<StoredRecord, 'version' | 'writer'> | undefined,
  id: Pick<StoredRecord, 'version' | 'writer'>,
): boolean {
  return held !== undefined && compareRecords(held, id) === 0;
}

/** Keys as they appear in messages: quoted, and cut short so a 1 KiB key does not flood a log line. */
export function describeKey(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 61)}...` : key);
}

/** A broken invariant is a bug: crash the test (or the node) that hit it, with a message saying which. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
