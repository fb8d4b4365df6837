import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../errors.js';
import { keyBytesMax, replicaBatchKeysMax } from '../limits.js';
import { fastPeerEnvelope } from './fast-decode.js';
import { decodePeerFrame, decodePeerFrameWithZod, PeerEnvelope } from './index.js';

// Sometimes a valid field, sometimes something near it or nothing like it: valid, near-valid and junk
// envelopes all come out of the same generators.
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant('x'.repeat(keyBytesMax + 1)),
  fc.constant(-1),
  fc.constant(1.5),
  fc.constant(2 ** 53),
  fc.constant(-0),
  fc.boolean(),
  fc.string(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: junk, weight: 1 });
/** A field that may also be missing (undefined disappears in JSON). */
const optional = <T>(valid: fc.Arbitrary<T>) => fc.option(maybe(valid), { nil: undefined });

const key = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('k'.repeat(keyBytesMax)));
const address = fc.oneof(
  fc.constantFrom('127.0.0.1:24000', 'node-1.example:7000', '[::1]:65535', 'a:1'),
  fc.constantFrom('127.0.0.1:0', '127.0.0.1:65536', 'node1', ':80', 'a_b:80', '-a:80'),
  fc.string({ maxLength: 20 }),
);
const count = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(2 ** 40 * 4096 + 7));
const valueJson = fc.oneof(fc.json({ maxDepth: 2 }), fc.constant('"\\u0000 é \\"x\\""'));
const extra = fc.option(
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  {
    nil: undefined,
  },
);
const withExtra = <T extends object>(arbitrary: fc.Arbitrary<T>) =>
  fc.tuple(arbitrary, extra).map(([value, more]) => (more ? { ...more, ...value } : value));

const record = withExtra(
  fc.record({
    valueJson: maybe(fc.oneof(valueJson, fc.constant(null))),
    version: maybe(count),
    writer: maybe(address),
  }),
);
const recordId = withExtra(fc.record({ version: maybe(count), writer: maybe(address) }));
const peerError = withExtra(
  fc.record({ code: maybe(fc.constantFrom(...errorCodes)), message: maybe(fc.string({ maxLength: 30 })) }),
);
const keyFailure = withExtra(fc.record({ error: maybe(peerError) }));
const writeItem = withExtra(
  fc.record({
    key: maybe(key),
    record: maybe(record),
    hintFor: optional(address),
    expect: optional(fc.oneof(recordId, fc.constant(null))),
  }),
);
const writeRefused = withExtra(fc.record({ held: maybe(fc.oneof(record, fc.constant(null))) }));
const list = <T>(item: fc.Arbitrary<T>, minLength = 0) =>
  maybe(
    fc.oneof(
      fc.array(item, { minLength, maxLength: 6 }),
      fc.constant([]),
      item.map((one) => new Array(replicaBatchKeysMax + 1).fill(one)),
    ),
  );

const requestBody = fc.oneof(
  withExtra(
    fc.record({
      type: fc.constant('replica-reads'),
      keys: list(maybe(key), 1),
      known: optional(list(maybe(fc.oneof(recordId, fc.constant(null))))),
    }),
  ),
  withExtra(fc.record({ type: fc.constant('replica-writes'), writes: list(maybe(writeItem), 1) })),
  withExtra(fc.record({ type: fc.constant('replica-read'), key: maybe(key) })),
  withExtra(
    fc.record({
      type: fc.constant('replica-write'),
      key: maybe(key),
      record: maybe(record),
      hintFor: optional(address),
    }),
  ),
  withExtra(
    fc.record({
      type: fc.constant('forward'),
      op: maybe(fc.constantFrom('create', 'read', 'update', 'delete')),
      key: maybe(key),
      valueJson: optional(valueJson),
      consistency: maybe(fc.constantFrom('one', 'quorum', 'all')),
    }),
  ),
  fc.record({ type: fc.constant('stats') }),
  fc.record({ type: fc.constantFrom('repair-digest', 'nonsense') }),
);
const replyBody = fc.oneof(
  withExtra(
    fc.record({
      type: fc.constant('read-replies'),
      results: list(
        fc.oneof(
          record,
          fc.constant(null),
          fc.constant(true),
          keyFailure,
          fc.tuple(record, keyFailure).map(([r, f]) => ({ ...f, ...r })),
        ),
      ),
    }),
  ),
  withExtra(
    fc.record({
      type: fc.constant('write-acks'),
      results: list(
        fc.oneof(
          fc.boolean(),
          keyFailure,
          writeRefused,
          fc.tuple(writeRefused, keyFailure).map(([r, f]) => ({ ...r, ...f })),
          junk,
        ),
      ),
    }),
  ),
  withExtra(
    fc.record({ type: fc.constant('read-reply'), record: maybe(fc.oneof(record, fc.constant(null))) }),
  ),
  withExtra(fc.record({ type: fc.constant('write-ack'), applied: maybe(fc.boolean()) })),
  withExtra(
    fc.record({
      type: fc.constant('forward-reply'),
      key: maybe(key),
      valueJson: optional(valueJson),
      version: optional(count),
      writer: optional(address),
      deleted: optional(fc.constant(true)),
    }),
  ),
  fc.record({ type: fc.constant('stats-reply'), keys: fc.nat(), bytes: fc.nat() }),
);
const envelope = fc.oneof(
  withExtra(fc.record({ k: fc.constant('req'), id: maybe(count), body: maybe(requestBody) })),
  withExtra(fc.record({ k: fc.constant('ok'), id: maybe(count), body: maybe(replyBody) })),
  withExtra(fc.record({ k: fc.constant('err'), id: maybe(count), error: maybe(peerError) })),
  fc.record({ k: fc.constantFrom('msg', 'req', 'nope'), id: count, body: fc.jsonValue({ maxDepth: 2 }) }),
  junk,
);
/** What a peer could send: JSON text, parsed back (so undefined fields are gone, as on the wire). */
const wire = <T>(arbitrary: fc.Arbitrary<T>) =>
  arbitrary.map((value) => JSON.parse(JSON.stringify(value) ?? 'null'));

describe('fastPeerEnvelope', () => {
  it('accepts only what zod accepts, with the same output', () => {
    fc.assert(
      fc.property(wire(envelope), (raw) => {
        const fast = fastPeerEnvelope(raw);
        if (fast === undefined) return;
        const parsed = PeerEnvelope.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes every valid hot envelope itself (the fast path is used, not just allowed)', () => {
    let fast = 0;
    let valid = 0;
    fc.assert(
      fc.property(wire(envelope), (raw) => {
        const parsed = PeerEnvelope.safeParse(raw);
        const type = (parsed.data as { body?: { type?: string } } | undefined)?.body?.type;
        if (!parsed.success || parsed.data.k === 'msg' || type === 'stats' || type === 'stats-reply') return;
        valid++;
        if (fastPeerEnvelope(raw) !== undefined) fast++;
      }),
      { numRuns: 2000 },
    );
    expect(valid).toBeGreaterThan(100);
    expect(fast).toBe(valid);
  });
});

describe('decodePeerFrame', () => {
  const frame = fc.oneof(
    { arbitrary: fc.array(envelope, { minLength: 1, maxLength: 5 }), weight: 6 },
    { arbitrary: fc.constant([]), weight: 1 },
    { arbitrary: junk, weight: 1 },
  );

  it('decodes every frame exactly as the zod-only decoder does (accept, reject, output, reason)', () => {
    fc.assert(
      fc.property(frame, (value) => {
        const text = JSON.stringify(value) ?? 'null';
        expect(decodePeerFrame(text)).toStrictEqual(decodePeerFrameWithZod(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects text that is not JSON, as before', () => {
    expect(decodePeerFrame('[{"k":"req"')).toStrictEqual(decodePeerFrameWithZod('[{"k":"req"'));
    expect(decodePeerFrame('[{"k":"req"').ok).toBe(false);
  });

  it('decodes a typical batch frame on the fast path', () => {
    const text = JSON.stringify([
      {
        k: 'req',
        id: 1,
        body: { type: 'replica-reads', keys: ['a', 'b'], known: [null, { version: 5, writer: 'n:1' }] },
      },
      {
        k: 'ok',
        id: 2,
        body: {
          type: 'read-replies',
          results: [null, { valueJson: '1', version: 5, writer: '127.0.0.1:1' }, true],
        },
      },
      { k: 'err', id: 3, error: { code: 'TIMEOUT', message: 'late' } },
    ]);
    const decoded = decodePeerFrame(text);
    expect(decoded).toStrictEqual(decodePeerFrameWithZod(text));
    expect(decoded.ok).toBe(true);
  });
});
