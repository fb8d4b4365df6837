/**
 * Untrusted input -> typed requests or a RingKvError naming the field and why. Every edge (WebSocket
 * frames, HTTP paths and bodies, CLI) goes through these functions, so the same input gets the same error
 * whichever door it came through.
 */
import type { z } from 'zod';
import { RingKvError } from './errors.js';
import { fastDataRequest } from './fast-decode.js';
import { batchRequestsMax, keyBytesMax, valueBytesMax } from './limits.js';
import { ClientRequest, NodeAddress, type RequestId } from './messages.js';

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  // Fast path: ASCII strings are their length in bytes; only count when a char is >= 0x80.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return encoder.encode(text).length;
  }
  return text.length;
}

/** Throws BAD_REQUEST for an empty key and TOO_LARGE for a key over 1024 UTF-8 bytes. */
export function checkKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string') throw new RingKvError('BAD_REQUEST', `${field} must be a string`);
  if (key.length === 0) throw new RingKvError('BAD_REQUEST', `${field} must not be empty`);
  const bytes = key.length > keyBytesMax / 4 ? utf8Length(key) : key.length;
  // A string of at most 256 UTF-16 units cannot exceed 1024 UTF-8 bytes, so only long keys are counted.
  if (bytes > keyBytesMax)
    throw new RingKvError('TOO_LARGE', `${field} is ${bytes} bytes; the limit is ${keyBytesMax}`);
  if (!key.isWellFormed()) throw new RingKvError('BAD_REQUEST', `${field} is not valid UTF-16/UTF-8 text`);
  return key;
}

/**
 * Encodes a value to its JSON text, the form in which values are stored and forwarded, and checks the
 * 1 MiB limit. Throws BAD_REQUEST when the value is missing.
 */
export function encodeValue(value: unknown, field = 'value'): string {
  if (value === undefined) throw new RingKvError('BAD_REQUEST', `${field} is required`);
  const text = JSON.stringify(value);
  const bytes = utf8Length(text);
  if (bytes > valueBytesMax) {
    throw new RingKvError('TOO_LARGE', `${field} is ${bytes} bytes encoded; the limit is ${valueBytesMax}`);
  }
  return text;
}

/** Decodes a percent-encoded path segment into a key. */
export function decodeKeySegment(segment: string): string {
  let key: string;
  try {
    key = decodeURIComponent(segment);
  } catch (cause) {
    throw new RingKvError('BAD_REQUEST', 'key is not valid percent-encoded UTF-8', { cause });
  }
  return checkKey(key);
}

export function checkNodeAddress(node: unknown, field = 'node'): string {
  const parsed = NodeAddress.safeParse(node);
  if (!parsed.success) throw new RingKvError('BAD_REQUEST', describeIssues(parsed.error, field));
  return parsed.data;
}

/** One message naming every failing field: `key: must not be empty; consistency: expected one of ...`. */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type DecodedRequest =
  | { ok: true; request: ClientRequest; valueJson: string | undefined }
  | { ok: false; id: RequestId | null; error: RingKvError };

function extractId(raw: unknown): RequestId | null {
  if (raw === null || typeof raw !== 'object') return null;
  const id = (raw as { id?: unknown }).id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  if (typeof id === 'string' && id.length <= 256) return id;
  return null;
}

/**
 * Validates one already-parsed request object. Never throws. The four data ops in their common shape take
 * a hand-written check (fast-decode.ts) that returns what zod would; everything else is zod's to judge.
 */
export function decodeRequest(raw: unknown): DecodedRequest {
  if (raw !== null && typeof raw === 'object') {
    const request = fastDataRequest(raw);
    if (request !== undefined) return checkRequest(request, raw);
  }
  return decodeRequestBySchema(raw);
}

/** `decodeRequest` with zod alone: the reference the fast path is tested against. */
export function decodeRequestBySchema(raw: unknown): DecodedRequest {
  const id = extractId(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, id, error: new RingKvError('BAD_REQUEST', 'a request must be a JSON object') };
  }
  const op = (raw as { op?: unknown }).op;
  if (typeof op !== 'string') {
    return { ok: false, id, error: new RingKvError('BAD_REQUEST', 'op: required, a string') };
  }
  const parsed = ClientRequest.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, id, error: new RingKvError('BAD_REQUEST', describeIssues(parsed.error)) };
  }
  return checkRequest(parsed.data, raw);
}

/** The limits zod does not check: key bytes and well-formedness, the value's encoded size. */
function checkRequest(request: ClientRequest, raw: unknown): DecodedRequest {
  try {
    let valueJson: string | undefined;
    if ('key' in request) checkKey(request.key);
    if (request.op === 'create' || request.op === 'update') valueJson = encodeValue(request.value);
    return { ok: true, request, valueJson };
  } catch (error) {
    return { ok: false, id: extractId(raw), error: error as RingKvError };
  }
}

export type DecodedFrame =
  | { kind: 'single'; request: DecodedRequest }
  | { kind: 'batch'; requests: DecodedRequest[] }
  | { kind: 'malformed'; error: RingKvError };

/** Decodes one WebSocket text frame: a request object, or a batch (an array of up to 1000 requests). */
export function decodeFrame(text: string): DecodedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'malformed', error: new RingKvError('BAD_REQUEST', 'frame is not valid JSON') };
  }
  if (Array.isArray(raw)) {
    if (raw.length > batchRequestsMax) {
      return {
        kind: 'malformed',
        error: new RingKvError(
          'TOO_LARGE',
          `batch holds ${raw.length} requests; the limit is ${batchRequestsMax}`,
        ),
      };
    }
    if (raw.length === 0)
      return { kind: 'malformed', error: new RingKvError('BAD_REQUEST', 'batch is empty') };
    return { kind: 'batch', requests: raw.map(decodeRequest) };
  }
  return { kind: 'single', request: decodeRequest(raw) };
}
