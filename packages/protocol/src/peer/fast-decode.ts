/**
 * Hand-written checks for the peer envelopes on the replication hot path (replica reads and writes, their
 * batch forms, forward, their replies, err), used by `decodePeerFrame` before zod. The contract: when
 * `fastPeerEnvelope` returns an envelope, `PeerEnvelope` (zod) accepts the same input and outputs an equal
 * envelope (unknown keys stripped, as z.object does); when it returns `undefined`, zod decides (every other
 * message, and every malformed one, so rejections keep zod's messages). It may decline anything it likes;
 * it must never accept what zod rejects (fast-decode.test.ts checks both with fast-check).
 */
import { errorCodes } from '../errors.js';
import { keyBytesMax, nodeAddressBytesMax, replicaBatchKeysMax, valueBytesMax } from '../limits.js';
import { consistencyLevels, nodeAddressPattern } from '../messages.js';
import type { PeerError, PeerRecord, ReplicaWriteItem } from './data.js';
import type { PeerEnvelope } from './index.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** z.number().int().nonnegative(): a safe integer, not negative (-0 passes, as in zod). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= keyBytesMax;
}

function isValueJson(value: unknown): value is string {
  return typeof value === 'string' && value.length <= valueBytesMax;
}

/** Node addresses already seen valid: a cluster has a handful, so the pattern runs once per address. */
const validAddresses = new Set<string>();
const validAddressesMax = 1024;

function isAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (validAddresses.has(value)) return true;
  if (value.length > nodeAddressBytesMax) return false;
  const match = nodeAddressPattern.exec(value);
  if (!match) return false;
  const port = Number(match[1]);
  if (port < 1 || port > 65535) return false;
  if (validAddresses.size >= validAddressesMax) validAddresses.clear();
  validAddresses.add(value);
  return true;
}

const errorCodeSet: ReadonlySet<unknown> = new Set<string>(errorCodes);
const consistencySet: ReadonlySet<unknown> = new Set<string>(consistencyLevels);
const dataOps: ReadonlySet<unknown> = new Set(['create', 'read', 'update', 'delete']);

function record(value: unknown): PeerRecord | undefined {
  if (!isObject(value)) return undefined;
  const { valueJson, version, writer } = value;
  if (valueJson !== null && !isValueJson(valueJson)) return undefined;
  if (!isCount(version) || !isAddress(writer)) return undefined;
  return { valueJson, version, writer };
}

/** PeerRecordId.nullable(). */
function recordIdOrNull(value: unknown): { version: number; writer: string } | null | undefined {
  if (value === null) return null;
  if (!isObject(value)) return undefined;
  const { version, writer } = value;
  return isCount(version) && isAddress(writer) ? { version, writer } : undefined;
}

function peerError(value: unknown): PeerError | undefined {
  if (!isObject(value)) return undefined;
  const { code, message } = value;
  if (!errorCodeSet.has(code) || typeof message !== 'string' || message.length > 4096) return undefined;
  return { code: code as string, message };
}

/** z.union([PeerRecord, z.null(), PeerKeyFailure, true]): the first option that accepts wins, as in zod. */
function readResult(value: unknown): PeerRecord | null | { error: PeerError } | true | undefined {
  if (value === null || value === true) return value;
  const asRecord = record(value);
  if (asRecord) return asRecord;
  return keyFailure(value);
}

function keyFailure(value: unknown): { error: PeerError } | undefined {
  if (!isObject(value)) return undefined;
  const error = peerError(value.error);
  return error ? { error } : undefined;
}

/** z.union([boolean, PeerKeyFailure, PeerWriteRefused]): the first option that accepts wins, as in zod. */
function writeResult(
  value: unknown,
): boolean | { error: PeerError } | { held: PeerRecord | null } | undefined {
  if (typeof value === 'boolean') return value;
  const failure = keyFailure(value);
  if (failure || !isObject(value)) return failure;
  if (value.held === null) return { held: null };
  const held = record(value.held);
  return held && { held };
}

/** Maps every element with `check`; undefined when any element fails or the length is out of bounds. */
function eachOf<T>(
  value: unknown,
  minimum: number,
  check: (item: unknown) => T | undefined,
): T[] | undefined {
  if (!Array.isArray(value) || value.length < minimum || value.length > replicaBatchKeysMax) return undefined;
  const out: T[] = new Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const item = check(value[index]);
    if (item === undefined) return undefined;
    out[index] = item;
  }
  return out;
}

function writeItem(value: unknown) {
  if (!isObject(value) || !isKey(value.key)) return undefined;
  const written = record(value.record);
  if (!written) return undefined;
  const item: ReplicaWriteItem = { key: value.key, record: written };
  if (value.hintFor !== undefined) {
    if (!isAddress(value.hintFor)) return undefined;
    item.hintFor = value.hintFor;
  }
  if (value.expect !== undefined) {
    const expected = recordIdOrNull(value.expect);
    if (expected === undefined) return undefined;
    item.expect = expected;
  }
  return item;
}

function request(body: unknown) {
  if (!isObject(body)) return undefined;
  switch (body.type) {
    case 'replica-reads': {
      const keys = eachOf(body.keys, 1, (key) => (isKey(key) ? key : undefined));
      if (!keys) return undefined;
      if (body.known === undefined) return { type: 'replica-reads' as const, keys };
      const known = eachOf(body.known, 0, recordIdOrNull);
      return known && { type: 'replica-reads' as const, keys, known };
    }
    case 'replica-writes': {
      const writes = eachOf(body.writes, 1, writeItem);
      return writes && { type: 'replica-writes' as const, writes };
    }
    case 'replica-read':
      return isKey(body.key) ? { type: 'replica-read' as const, key: body.key } : undefined;
    case 'replica-write': {
      const item = writeItem(body);
      return item && { type: 'replica-write' as const, ...item };
    }
    case 'forward':
      return forward(body);
  }
  return undefined;
}

function forward(body: Json) {
  const { op, key, valueJson, consistency } = body;
  if (!dataOps.has(op) || !isKey(key) || !consistencySet.has(consistency)) return undefined;
  const operation = op as 'create' | 'read' | 'update' | 'delete';
  const level = consistency as (typeof consistencyLevels)[number];
  if (valueJson === undefined) return { type: 'forward' as const, op: operation, key, consistency: level };
  if (!isValueJson(valueJson)) return undefined;
  return { type: 'forward' as const, op: operation, key, valueJson, consistency: level };
}

function reply(body: unknown) {
  if (!isObject(body)) return undefined;
  switch (body.type) {
    case 'read-replies': {
      const results = eachOf(body.results, 0, readResult);
      return results && { type: 'read-replies' as const, results };
    }
    case 'write-acks': {
      const results = eachOf(body.results, 0, writeResult);
      return results && { type: 'write-acks' as const, results };
    }
    case 'read-reply': {
      if (body.record === null) return { type: 'read-reply' as const, record: null };
      const found = record(body.record);
      return found && { type: 'read-reply' as const, record: found };
    }
    case 'write-ack':
      return typeof body.applied === 'boolean'
        ? { type: 'write-ack' as const, applied: body.applied }
        : undefined;
    case 'forward-reply':
      return forwardReply(body);
  }
  return undefined;
}

function forwardReply(body: Json) {
  const { key, valueJson, version, writer, deleted } = body;
  if (!isKey(key)) return undefined;
  if (valueJson !== undefined && !isValueJson(valueJson)) return undefined;
  if (version !== undefined && !isCount(version)) return undefined;
  if (writer !== undefined && !isAddress(writer)) return undefined;
  if (deleted !== undefined && deleted !== true) return undefined;
  const out: {
    type: 'forward-reply';
    key: string;
    valueJson?: string;
    version?: number;
    writer?: string;
    deleted?: true;
  } = { type: 'forward-reply', key };
  if (valueJson !== undefined) out.valueJson = valueJson;
  if (version !== undefined) out.version = version;
  if (writer !== undefined) out.writer = writer;
  if (deleted !== undefined) out.deleted = deleted;
  return out;
}

/** The envelope, checked by hand, or `undefined`: let zod decide (see the module comment). */
export function fastPeerEnvelope(raw: unknown): PeerEnvelope | undefined {
  if (!isObject(raw) || !isCount(raw.id)) return undefined;
  const id = raw.id;
  switch (raw.k) {
    case 'req': {
      const body = request(raw.body);
      return body && { k: 'req', id, body };
    }
    case 'ok': {
      const body = reply(raw.body);
      return body && { k: 'ok', id, body };
    }
    case 'err': {
      const error = peerError(raw.error);
      return error && { k: 'err', id, error };
    }
  }
  return undefined;
}
