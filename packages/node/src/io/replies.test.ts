import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorReplyText, okReplyText, recordReplyText, recordResultText } from './replies.js';

const ids = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ unit: 'binary' }),
);

describe('reply texts', () => {
  it('recordResultText is the JSON of the record result, value spliced as is', () => {
    const record = fc.record({
      key: fc.string({ unit: 'binary', minLength: 1 }),
      value: fc.jsonValue(),
      version: fc.maxSafeNat(),
    });
    fc.assert(
      fc.property(record, ({ key, value, version }) => {
        const text = recordResultText({ key, valueJson: JSON.stringify(value), version });
        return text === JSON.stringify({ key, value, version });
      }),
      { numRuns: 5_000 },
    );
  });

  it('recordReplyText is the JSON of the ok reply to a read, whatever the id and key', () => {
    const keys = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1 }),
      fc.constantFrom('key:000000000001', 'a"b', 'a\\b', '\u2028', '\ud800', 'tab\t'),
    );
    fc.assert(
      fc.property(ids, keys, fc.jsonValue(), fc.maxSafeNat(), (id, key, value, version) => {
        const text = recordReplyText(id, key, JSON.stringify(value), version);
        return text === JSON.stringify({ id, ok: true, result: { key, value, version } });
      }),
      { numRuns: 10_000 },
    );
  });

  it('ok and error replies print the id as JSON.stringify does', () => {
    fc.assert(
      fc.property(ids, (id) => {
        expect(okReplyText(id, '1')).toBe(JSON.stringify({ id, ok: true, result: 1 }));
        const error = { code: 'BAD_REQUEST', message: 'm' } as const;
        expect(errorReplyText(id, error)).toBe(JSON.stringify({ id, ok: false, error }));
      }),
      { numRuns: 5_000 },
    );
    expect(errorReplyText(null, { code: 'INTERNAL', message: 'x' })).toBe(
      JSON.stringify({ id: null, ok: false, error: { code: 'INTERNAL', message: 'x' } }),
    );
  });
});
