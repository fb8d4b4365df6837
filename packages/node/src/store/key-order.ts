/**
 * The order in which both engines keep and scan records: by ring token, then by key in Unicode code point
 * order. Code point order is the order of the keys' UTF-8 bytes, which is what LMDB compares, so a scan
 * resumed with `after` continues at the same record whichever engine holds the data.
 */

/** Compares two strings by code point (equivalently, by their UTF-8 bytes). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * UTF-16 code-unit order differs from code point order only where a surrogate (0xD800-0xDFFF, half of a
 * code point above 0xFFFF) meets a unit in 0xE000-0xFFFF: lift surrogates above that block.
 */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Orders (token, key) pairs; a missing `key` stands for "after every key of this token". */
export function compareTokenKey(token: number, key: string, boundToken: number, boundKey?: string): number {
  if (token !== boundToken) return token < boundToken ? -1 : 1;
  if (boundKey === undefined) return -1;
  return compareKeys(key, boundKey);
}
