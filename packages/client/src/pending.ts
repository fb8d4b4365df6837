/**
 * A request a Connection has in flight, and where its outcome goes: the resolve/reject pair of the promise
 * `request` returned, or a slot of a ReplySink (`requestInto`).
 */

/**
 * Where a request's outcome goes without a promise of its own (`requestInto`): one object for several
 * requests, told which by `slot`. A client-side quorum read asks two or three replicas at once; a promise,
 * executor and settle chain per replica request was a large part of the client's CPU and garbage per read.
 */
export interface ReplySink {
  answer(slot: number, result: unknown): void;
  fail(slot: number, error: Error): void;
}

/** A request in flight: its outcome goes to `resolve`/`reject` (a promise's) or to `sink` at `slot`. */
export interface Pending {
  id: number;
  text: string;
  sent: boolean;
  deadlineMs: number;
  resolve: ((result: unknown) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
  sink: ReplySink | undefined;
  slot: number;
  /** Queued for a slot (the connection has `inflightMax` in flight); false once sent, failed or expired. */
  waiting: boolean;
  /** A read (`read`, `read_replica`): nodes answer these at once, so they leave in batches of their own. */
  read: boolean;
}

export function succeed(entry: Pending, result: unknown): void {
  if (entry.sink) entry.sink.answer(entry.slot, result);
  else entry.resolve!(result);
}

export function fail(entry: Pending, error: Error): void {
  if (entry.sink) entry.sink.fail(entry.slot, error);
  else entry.reject!(error);
}
