import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchReplyText,
  errorReplyText,
  okReplyText,
  recordReplyText,
  recordResultText,
  replicaReadResultText,
} from './replies.js';

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

  it('replicaReadResultText is the JSON of a read_replica result, in full or as a digest', () => {
    const held = { valueJson: '{"a":[1,"x"]}', version: 2 ** 40 + 3, writer: '127.0.0.1:7001' };
    const tombstone = { valueJson: null, version: 5, writer: 'w"1' };
    const cases = [
      { replica: true, ringChecksum: 'r1', record: held },
      { replica: true, ringChecksum: 'r1', record: tombstone },
      { replica: true, ringChecksum: 'r"2', record: undefined },
      { replica: false, ringChecksum: 'r1', record: held },
    ];
    for (const read of cases) {
      const full = JSON.parse(replicaReadResultText('k"\u2028', 'n1', read));
      const digest = JSON.parse(replicaReadResultText('k"\u2028', 'n1', read, true));
      const expected: Record<string, unknown> = {
        key: 'k"\u2028',
        node: 'n1',
        ring: read.ringChecksum,
        replica: read.replica,
      };
      if (read.replica && read.record) {
        expected.version = read.record.version;
        expected.writer = read.record.writer;
        if (read.record.valueJson === null) expected.deleted = true;
        else expected.value = JSON.parse(read.record.valueJson);
      }
      expect(full).toStrictEqual(expected);
      const { key: _key, node: _node, value: _value, ...named } = expected;
      expect(digest).toStrictEqual(named);
    }
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

  it('BatchReplyText prints versions as JSON does, around every power of ten and 10^8 split', () => {
    const versions = [
      0,
      1,
      9,
      10,
      99_999_999,
      100_000_000,
      100_000_001,
      2 ** 52 + 3,
      Number.MAX_SAFE_INTEGER,
    ];
    for (let power = 0; power <= 15; power++) {
      versions.push(10 ** power - 1, 10 ** power, 10 ** power + 1, 7 * 10 ** power + 10 ** 7);
    }
    for (let low = 1; low < 10 ** 8; low *= 10) versions.push(1_700_000_000_000 * 4096 + low);
    const batch = new BatchReplyText(versions.length);
    for (const version of versions) batch.addRecordReply(1, 'k', '0', version);
    const expected = versions.map((version) => ({
      id: 1,
      ok: true,
      result: { key: 'k', value: 0, version },
    }));
    expect(batch.text()).toBe(JSON.stringify(expected));
  });

  it('BatchReplyText is the JSON array of its replies in order, however they were added', () => {
    const keys = fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.constant('key:000000000001'));
    const replies = fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('record' as const),
          id: ids,
          key: keys,
          value: fc.jsonValue(),
          version: fc.maxSafeNat(),
        }),
        fc.record({ kind: fc.constantFrom('text' as const, 'later' as const), id: ids }),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(replies, (list) => {
        const batch = new BatchReplyText(list.length);
        const later: Array<[number, string]> = [];
        const expected = list.map((reply) => {
          if (reply.kind === 'record') {
            const { id, key, value, version } = reply;
            batch.addRecordReply(id, key, JSON.stringify(value), version);
            return JSON.stringify({ id, ok: true, result: { key, value, version } });
          }
          const text = okReplyText(reply.id, '[1]');
          if (reply.kind === 'text') batch.add(text);
          else later.push([batch.reserve(), text]);
          return text;
        });
        // Places are filled in any order, as asynchronous answers arrive.
        for (const [place, text] of later.reverse()) batch.fill(place, text);
        return batch.text() === `[${expected.join(',')}]`;
      }),
      { numRuns: 3_000 },
    );
  });
});
