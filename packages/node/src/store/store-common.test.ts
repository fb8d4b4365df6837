import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertKey, assertRecord } from './store-common.js';

const refuses = (run: () => void): boolean => {
  try {
    run();
    return false;
  } catch {
    return true;
  }
};

describe('assertKey', () => {
  it('refuses exactly the keys outside 1 to 1024 UTF-8 bytes, short ones without counting', () => {
    const keys = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ unit: fc.constantFrom('a', 'é', '€', '\ud83d\ude00', '\ud800'), maxLength: 600 }),
    );
    fc.assert(
      fc.property(keys, (key) => {
        const bytes = Buffer.byteLength(key, 'utf8');
        return refuses(() => assertKey(key)) === (bytes < 1 || bytes > 1024);
      }),
      { numRuns: 5_000 },
    );
    for (const [key, refused] of [
      ['a'.repeat(1024), false],
      ['a'.repeat(1025), true],
      ['€'.repeat(341), false], // 1,023 bytes: the longest key accepted without counting
      ['€'.repeat(342), true], // 1,026 bytes
      ['', true],
    ] as const) {
      expect(
        refuses(() => assertKey(key)),
        `${key.length} units`,
      ).toBe(refused);
    }
    expect(() => assertKey('é'.repeat(513))).toThrow('key must be 1 to 1024 UTF-8 bytes, got 1026');
  });
});

describe('assertRecord', () => {
  it('refuses malformed versions, writers and values, naming what is wrong', () => {
    const record = { valueJson: '1', version: 1, writer: 'n:1' };
    expect(() => assertRecord(record)).not.toThrow();
    expect(() => assertRecord({ ...record, valueJson: null, version: 2 ** 53 - 1 })).not.toThrow();
    expect(() => assertRecord({ ...record, version: -1 })).toThrow(
      'record version must be a non-negative safe integer, got -1',
    );
    expect(() => assertRecord({ ...record, version: 2 ** 53 })).toThrow(/got 9007199254740992/);
    expect(() => assertRecord({ ...record, writer: 5 as never })).toThrow('writer must be a string');
    expect(() => assertRecord({ ...record, valueJson: 5 as never })).toThrow(
      'valueJson must be text or null',
    );
  });
});
