/**
 * A hand-written check of the data requests in their common shape, in front of zod (decode.ts).
 * zod's `safeParse` of the ClientRequest union costs a few % of a node per request; this recognises
 * `{id, op: create|read|update|delete, key, value?, consistency?}` and `{id, op: read_replica, key,
 * digest?}` (zod strips any other field, so they are ignored here) with a few type checks and builds the
 * object zod would return. Anything else, including every request zod would refuse, gets `undefined`, and
 * the caller asks zod, so accepted shapes and every error message are zod's.
 *
 * Equivalence with zod (fast-decode.test.ts checks it on generated valid, near-valid and junk input):
 * - zod's z.object strips unknown keys: ignoring them here gives the same object;
 * - the output has zod's key order (id, op, key, value, consistency) and only the keys zod would write;
 * - a key that is present but `undefined` (never the case for JSON) makes zod write it or refuse it:
 *   left to zod;
 * - only plain objects (prototype Object.prototype or null) are handled; zod reads other objects'
 *   inherited properties in ways not worth reproducing.
 */
import { requestIdBytesMax } from './limits.js';
import type { ClientRequest, Consistency, RequestId } from './messages.js';

type DataRequest = Extract<ClientRequest, { op: 'create' | 'read' | 'update' | 'delete' | 'read_replica' }>;

interface RawDataRequest {
  id?: unknown;
  op?: unknown;
  key?: unknown;
  value?: unknown;
  consistency?: unknown;
  digest?: unknown;
}

/** The request zod's ClientRequest would return for `raw`, or `undefined`: ask zod. */
export function fastDataRequest(raw: object): DataRequest | undefined {
  const prototype = Object.getPrototypeOf(raw);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const fields = raw as RawDataRequest;
  const id = fields.id;
  if (!isRequestId(id)) return undefined;
  const key = fields.key;
  if (typeof key !== 'string' || key.length === 0) return undefined;
  if (fields.op === 'read_replica') {
    const digest = fields.digest;
    if (digest === undefined) return 'digest' in fields ? undefined : { id, op: 'read_replica', key };
    return typeof digest === 'boolean' ? { id, op: 'read_replica', key, digest } : undefined;
  }
  const consistency = fields.consistency;
  let hasConsistency = true;
  if (consistency === undefined) {
    if ('consistency' in fields) return undefined;
    hasConsistency = false;
  } else if (consistency !== 'one' && consistency !== 'quorum' && consistency !== 'all') {
    return undefined;
  }
  const op = fields.op;
  if (op === 'read' || op === 'delete') {
    return hasConsistency ? { id, op, key, consistency: consistency as Consistency } : { id, op, key };
  }
  if (op !== 'create' && op !== 'update') return undefined;
  const value = fields.value;
  if (value === undefined) return undefined;
  return hasConsistency
    ? { id, op, key, value, consistency: consistency as Consistency }
    : { id, op, key, value };
}

function isRequestId(id: unknown): id is RequestId {
  if (typeof id === 'number') return Number.isFinite(id);
  return typeof id === 'string' && id.length <= requestIdBytesMax;
}
