/**
 * Cheaper equivalents of `String(n)` and `JSON.stringify(s)` for the reply hot path, each producing exactly
 * the same text (json-text.test.ts checks it property by property).
 *
 * Why: a record version is an HLC reading of about 2^52, a heap number, and `String` of it goes through V8's
 * shortest double-to-text path (about 260 ns); two integers under 10^8 print through the small-integer path.
 * `JSON.stringify` of a key has a per-call setup cost a plain scan of a short key avoids.
 */

/** 10^8: both halves of a safe integer split at it are small integers (the high half is below 9.1e7). */
const lowDivisor = 100_000_000;

/** `String(value)` for a non-negative safe integer (a record version); other numbers go to `String`. */
export function safeIntegerText(value: number): string {
  if (value < lowDivisor || !Number.isSafeInteger(value)) return String(value);
  let high = Math.floor(value / lowDivisor);
  let low = value - high * lowDivisor;
  // The division rounds: just below a multiple of 10^8 the quotient can round up to it.
  if (low < 0) {
    high -= 1;
    low += lowDivisor;
  }
  // low + 10^8 has 9 digits; dropping the leading 1 leaves low zero-padded to 8.
  return String(high) + String(low + lowDivisor).slice(1);
}

/** `JSON.stringify(text)` for any string: a scan decides whether quoting as is is enough. */
export function jsonStringText(text: string): string {
  return plainJsonString(text) ? `"${text}"` : JSON.stringify(text);
}

/** Whether `JSON.stringify(text)` is `text` between quotes: nothing in it is escaped. */
export function plainJsonString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Quote, backslash and control characters are escaped; surrogates (paired or lone) take the slow
    // path, which escapes lone ones.
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
  }
  return true;
}
