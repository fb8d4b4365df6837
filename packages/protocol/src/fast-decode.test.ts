import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecodedRequest, decodeRequest, decodeRequestBySchema } from './decode.js';
import { fastDataRequest } from './fast-decode.js';

/** What a caller can observe of a decode: for requests, the keys in order and their values. */
function observed(decoded: DecodedRequest): unknown {
  if (!decoded.ok)
    return { ok: false, id: decoded.id, code: decoded.error.code, message: decoded.error.message };
  const request = decoded.request as unknown as Record<string, unknown>;
  return {
    ok: true,
    keys: Object.keys(request),
    entries: Object.entries(request),
    valueJson: decoded.valueJson,
  };
}

function sameAsSchema(raw: unknown): boolean {
  expect(observed(decodeRequest(raw))).toStrictEqual(observed(decodeRequestBySchema(raw)));
  return true;
}

const dataOps = ['create', 'read', 'update', 'delete', 'read_replica'] as const;
const ids = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 0, Number.MAX_SAFE_INTEGER, 1e300),
  fc.string({ maxLength: 300 }),
  fc.constant('x'.repeat(256)),
  fc.constant('x'.repeat(257)),
  fc.anything(),
);
const keys = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 400 }),
  fc.constantFrom('', 'k', 'key:000000000001', '\ud800', 'a\udc00b', 'x'.repeat(1024), 'x'.repeat(1025)),
  fc.constant('é'.repeat(513)),
  fc.anything(),
);
const consistencies = fc.oneof(
  fc.constantFrom('one', 'quorum', 'all', 'most', 'ONE', '', undefined, null),
  fc.anything(),
);
const values = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.constant('x'.repeat(1024 * 1024)),
  fc.anything(),
);
const ops = fc.oneof(
  fc.constantFrom(...dataOps),
  fc.constantFrom('get_node', 'nodes', 'ring', 'subscribe', 'frobnicate', 'Read', ''),
  fc.anything(),
);
const extraKeys = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'extra', 'node', 'topics'), fc.string()),
  fc.anything(),
  { maxKeys: 3 },
);

/** Request-like objects: each field present with a fitting or unfitting value, or absent. */
const digests = fc.oneof(fc.boolean(), fc.constantFrom(undefined, null, 'true', 1), fc.anything());
const requestLike = fc
  .record(
    { id: ids, op: ops, key: keys, value: values, consistency: consistencies, digest: digests },
    { requiredKeys: [] },
  )
  .chain((fields) => extraKeys.map((extra) => ({ ...extra, ...fields })));

describe('fastDataRequest', () => {
  it('takes the common shapes of the data ops', () => {
    for (const op of dataOps) {
      const value = op === 'create' || op === 'update' ? { value: 'v' } : {};
      for (const consistency of [
        {},
        { consistency: 'one' },
        { consistency: 'quorum' },
        { consistency: 'all' },
      ]) {
        const raw = { id: 1, op, key: 'key:000000000001', ...value, ...consistency };
        expect(fastDataRequest(raw), JSON.stringify(raw)).toBeDefined();
        sameAsSchema(raw);
      }
    }
    for (const digest of [true, false]) {
      const raw = { id: 1, op: 'read_replica', key: 'key:000000000001', digest };
      expect(fastDataRequest(raw)).toStrictEqual(raw);
      sameAsSchema(raw);
    }
  });

  it('leaves edge shapes to zod', () => {
    const edges: object[] = [
      { id: 1, op: 'read', key: 'k', consistency: undefined },
      { id: 1, op: 'create', key: 'k', value: undefined },
      { id: 1, op: 'create', key: 'k' },
      { id: 1, op: 'read', key: '' },
      { id: 1, op: 'read_replica', key: 'k', digest: undefined },
      { id: 1, op: 'read_replica', key: 'k', digest: 'yes' },
      { id: 'x'.repeat(257), op: 'read', key: 'k' },
      { id: Number.NaN, op: 'read', key: 'k' },
      Object.assign(Object.create({ key: 'inherited' }), { id: 1, op: 'read' }),
      Object.assign(new Date(0), { id: 1, op: 'read', key: 'k' }),
      [1, 2],
    ];
    for (const raw of edges) {
      expect(fastDataRequest(raw)).toBeUndefined();
      sameAsSchema(raw);
    }
  });
});

describe('decodeRequest with the fast path is decodeRequest by zod alone', () => {
  it('on request-like objects: valid, near-valid and wrong fields, extra keys', () => {
    let fast = 0;
    fc.assert(
      fc.property(requestLike, (raw) => {
        if (fastDataRequest(raw) !== undefined) fast++;
        return sameAsSchema(raw);
      }),
      { numRuns: 8_000 },
    );
    // The comparison must have exercised the fast path, not only the fallback.
    expect(fast).toBeGreaterThan(200);
  });

  it('on the same objects after a JSON round trip (own __proto__ keys, as JSON.parse makes them)', () => {
    const small = fc
      .record(
        { id: ids, op: ops, key: keys, value: values, consistency: consistencies },
        { requiredKeys: [] },
      )
      .chain((fields) => extraKeys.map((extra) => ({ ...extra, ...fields })));
    const texts = small.map((raw) => {
      const text = JSON.stringify(raw) ?? 'null';
      if (!text.startsWith('{')) return text;
      return text === '{}' ? '{"__proto__":{"key":"p"}}' : `{"__proto__":{"key":"p"},${text.slice(1)}`;
    });
    fc.assert(
      fc.property(texts, (text) => sameAsSchema(JSON.parse(text))),
      { numRuns: 4_000 },
    );
  });

  it('on objects without a prototype', () => {
    fc.assert(
      fc.property(requestLike, (raw) => sameAsSchema(Object.assign(Object.create(null), raw))),
      { numRuns: 3_000 },
    );
  });

  it('on arbitrary values', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true }), sameAsSchema), { numRuns: 3_000 });
    fc.assert(fc.property(fc.jsonValue(), sameAsSchema), { numRuns: 3_000 });
  });
});
