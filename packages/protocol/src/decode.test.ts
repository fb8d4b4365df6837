import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkKey,
  checkNodeAddress,
  decodeFrame,
  decodeKeySegment,
  decodeRequest,
  encodeValue,
} from './decode.js';
import { errorStatus, RingKvError } from './errors.js';
import { batchRequestsMax, keyBytesMax, valueBytesMax } from './limits.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof RingKvError ? error.code : 'NOT_A_RINGKV_ERROR';
  }
  return undefined;
}

describe('decodeFrame', () => {
  it('decodes every op of SPEC section 3', () => {
    const requests = [
      { id: 1, op: 'create', key: 'k', value: { a: 1 } },
      { id: 2, op: 'read', key: 'k', consistency: 'one' },
      { id: 3, op: 'update', key: 'k', value: null },
      { id: 4, op: 'delete', key: 'k', consistency: 'all' },
      { id: 5, op: 'get_node', key: 'k' },
      { id: 6, op: 'add_node', node: '127.0.0.1:7004' },
      { id: 7, op: 'remove_node', node: 'localhost:7002' },
      { id: 8, op: 'nodes' },
      { id: 'nine', op: 'ring' },
      { id: 10, op: 'subscribe', topics: ['ring', 'stats'] },
      { id: 11, op: 'unsubscribe' },
    ];
    for (const request of requests) {
      const frame = decodeFrame(JSON.stringify(request));
      expect(frame.kind).toBe('single');
      if (frame.kind !== 'single') continue;
      expect(frame.request.ok, JSON.stringify(request)).toBe(true);
    }
  });

  it('keeps the value as its JSON text', () => {
    const frame = decodeFrame('{"id":1,"op":"create","key":"k","value":{"b":[1,2]}}');
    expect(frame.kind === 'single' && frame.request.ok && frame.request.valueJson).toBe('{"b":[1,2]}');
  });

  it('answers garbage with BAD_REQUEST, never a throw', () => {
    const garbage = [
      '',
      'nul',
      '{',
      '[1',
      '"str"',
      '42',
      'null',
      '{"op":5}',
      '{"id":{},"op":"read","key":"k"}',
    ];
    for (const text of garbage) {
      const frame = decodeFrame(text);
      const code =
        frame.kind === 'malformed'
          ? frame.error.code
          : frame.kind === 'single' && !frame.request.ok
            ? frame.request.error.code
            : 'DECODED';
      expect(code, text).toBe('BAD_REQUEST');
    }
  });

  it('never throws on arbitrary text or arbitrary JSON', () => {
    fc.assert(fc.property(fc.string(), (text) => void decodeFrame(text)));
    fc.assert(fc.property(fc.jsonValue(), (value) => void decodeFrame(JSON.stringify(value))));
  });

  it('names the field that is wrong', () => {
    const cases: [unknown, string][] = [
      [{ id: 1, op: 'read' }, 'key'],
      [{ id: 1, op: 'frobnicate', key: 'k' }, 'op'],
      [{ id: 1, op: 'read', key: 'k', consistency: 'most' }, 'consistency'],
      [{ id: 1, op: 'read', key: 7 }, 'key'],
      [{ id: 1, op: 'create', key: 'k' }, 'value'],
      [{ id: 1, op: 'add_node', node: 'node1' }, 'HOST:PORT'],
      [{ id: 1, op: 'subscribe', topics: ['weather'] }, 'topics'],
    ];
    for (const [raw, field] of cases) {
      const decoded = decodeRequest(raw);
      expect(decoded.ok, JSON.stringify(raw)).toBe(false);
      if (decoded.ok) continue;
      expect(decoded.error.code).toBe('BAD_REQUEST');
      expect(decoded.error.message).toContain(field);
      expect(decoded.id).toBe(1);
    }
  });

  it('rejects batches over the limit with TOO_LARGE and empty ones with BAD_REQUEST', () => {
    const batch = Array.from({ length: batchRequestsMax + 1 }, (_, i) => ({ id: i, op: 'ring' }));
    const over = decodeFrame(JSON.stringify(batch));
    expect(over.kind === 'malformed' && over.error.code).toBe('TOO_LARGE');
    const empty = decodeFrame('[]');
    expect(empty.kind === 'malformed' && empty.error.code).toBe('BAD_REQUEST');
    const full = decodeFrame(JSON.stringify(batch.slice(1)));
    expect(full.kind === 'batch' && full.requests.every((r) => r.ok)).toBe(true);
  });

  it('answers each bad request of a batch in its place', () => {
    const frame = decodeFrame('[{"id":1,"op":"ring"},{"id":2,"op":"read"},7]');
    expect(frame.kind).toBe('batch');
    if (frame.kind !== 'batch') return;
    expect(frame.requests.map((r) => r.ok)).toEqual([true, false, false]);
  });
});

describe('keys and values at their limits', () => {
  it('accepts 1 to 1024 UTF-8 bytes and refuses more with TOO_LARGE', () => {
    expect(checkKey('a')).toBe('a');
    expect(checkKey('a'.repeat(keyBytesMax))).toHaveLength(keyBytesMax);
    expect(codeOf(() => checkKey('a'.repeat(keyBytesMax + 1)))).toBe('TOO_LARGE');
    expect(codeOf(() => checkKey('é'.repeat(keyBytesMax / 2 + 1)))).toBe('TOO_LARGE');
    expect(checkKey('é'.repeat(keyBytesMax / 2))).toHaveLength(keyBytesMax / 2);
    expect(codeOf(() => checkKey(''))).toBe('BAD_REQUEST');
    expect(codeOf(() => checkKey('\ud800'))).toBe('BAD_REQUEST');
  });

  it('decodes percent-encoded path segments, including %2F', () => {
    expect(decodeKeySegment('user%3A42%2Fprofile')).toBe('user:42/profile');
    expect(decodeKeySegment('%E2%82%AC')).toBe('€');
    expect(codeOf(() => decodeKeySegment('%E2%82'))).toBe('BAD_REQUEST');
    expect(codeOf(() => decodeKeySegment('%zz'))).toBe('BAD_REQUEST');
  });

  it('accepts a value of exactly 1 MiB encoded and refuses one byte more', () => {
    const exact = 'x'.repeat(valueBytesMax - 2); // the quotes make it exactly 1 MiB
    expect(encodeValue(exact)).toHaveLength(valueBytesMax);
    expect(codeOf(() => encodeValue(`${exact}x`))).toBe('TOO_LARGE');
    expect(codeOf(() => encodeValue(undefined))).toBe('BAD_REQUEST');
  });

  it('checks node addresses', () => {
    for (const good of ['127.0.0.1:7001', 'localhost:1', 'db-3.example.com:65535', '[::1]:7001']) {
      expect(checkNodeAddress(good)).toBe(good);
    }
    for (const bad of ['node1', '127.0.0.1', ':7001', '127.0.0.1:0', '127.0.0.1:65536', 'a b:1', '']) {
      expect(
        codeOf(() => checkNodeAddress(bad)),
        bad,
      ).toBe('BAD_REQUEST');
    }
  });
});

describe('error codes', () => {
  it('map to the HTTP statuses of SPEC section 4', () => {
    expect(errorStatus).toMatchObject({
      BAD_REQUEST: 400,
      KEY_EXISTS: 409,
      TOO_LARGE: 413,
      UNAVAILABLE: 503,
      TIMEOUT: 504,
    });
    expect(new RingKvError('NODE_UNREACHABLE', 'x').status).toBe(502);
  });
});
