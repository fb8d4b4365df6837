/**
 * The data every benchmark uses: 16-byte keys (`key:` + 12 digits, the shape redis-benchmark's `-r` gives
 * its keys) and 100-byte values. For ringkv a value is JSON, so the value is a 98-character string whose
 * JSON encoding (with its quotes) is 100 bytes; for Redis it is the 100 raw bytes.
 */
export const valueBytes = 100;

export function keyAt(index: number): string {
  return `key:${String(index).padStart(12, '0')}`;
}

/** The value as Redis stores it: 100 bytes. */
export const redisValue = 'v'.repeat(valueBytes);

/** The value as a JSON string: its encoding `"vvv..."` is 100 bytes. */
export const jsonValueText = JSON.stringify('v'.repeat(valueBytes - 2));

/** A fast deterministic PRNG (mulberry32) so every target sees the same key sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
