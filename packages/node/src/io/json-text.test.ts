import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonStringText, plainJsonString, safeIntegerText } from './json-text.js';

describe('safeIntegerText', () => {
  it('prints the edges as String does', () => {
    const edges = [
      0,
      1,
      9,
      10,
      99_999_999,
      100_000_000,
      100_000_001,
      199_999_999,
      200_000_000,
      1e15,
      1e15 - 1,
      2 ** 52,
      2 ** 52 - 1,
      2 ** 53 - 2,
      Number.MAX_SAFE_INTEGER,
      Date.now() * 4096,
    ];
    for (const value of edges) expect(safeIntegerText(value), String(value)).toBe(String(value));
  });

  it('prints every non-negative safe integer as String does', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => safeIntegerText(value) === String(value)),
      { numRuns: 20_000 },
    );
  });

  it('prints values just below and at multiples of 10^8 as String does', () => {
    const multiple = fc.integer({ min: 1, max: Math.floor(Number.MAX_SAFE_INTEGER / 1e8) });
    fc.assert(
      fc.property(multiple, fc.integer({ min: -2, max: 2 }), (high, delta) => {
        const value = high * 1e8 + delta;
        return !Number.isSafeInteger(value) || safeIntegerText(value) === String(value);
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves numbers that are not safe integers to String', () => {
    for (const value of [2 ** 53, 2 ** 60, 1.5e8 + 0.5, -1e9, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(safeIntegerText(value)).toBe(String(value));
    }
  });
});

describe('jsonStringText', () => {
  it('quotes a string exactly as JSON.stringify does', () => {
    const edges = ['', 'key:000000000001', '"', '\\', '\n', '\u0000', '\u001f', ' ', '\u007f', '\u2028'];
    const surrogates = ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ud83d\ude00', '\udc00\ud800'];
    for (const text of [...edges, ...surrogates]) expect(jsonStringText(text)).toBe(JSON.stringify(text));
  });

  it('quotes arbitrary strings exactly as JSON.stringify does', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u0001', '\ud800', '\udc00', '\u00e9', '\u2028') }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
    );
    fc.assert(
      fc.property(strings, (text) => jsonStringText(text) === JSON.stringify(text)),
      { numRuns: 20_000 },
    );
  });

  it('plainJsonString: JSON.stringify only adds quotes when true; false only for escapes and surrogates', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u001f', ' ', '\ud800', '\udc00', '\u00e9') }),
    );
    const surrogate = /[\ud800-\udfff]/;
    fc.assert(
      fc.property(strings, (text) => {
        const quotedAsIs = JSON.stringify(text) === `"${text}"`;
        // Surrogates, even paired ones JSON.stringify leaves as they are, take the slow path.
        return surrogate.test(text) ? !plainJsonString(text) : plainJsonString(text) === quotedAsIs;
      }),
      { numRuns: 20_000 },
    );
  });
});
