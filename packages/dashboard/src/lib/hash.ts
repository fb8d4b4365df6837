/**
 * The ring position of a key, computed in the browser so the ring view can draw where a key lands before
 * (and independently of) asking a node. SPEC: MurmurHash3 x86_32, seed 0, over the key's UTF-8 bytes,
 * as an unsigned 32-bit integer. Written for the dashboard (no deep import across packages); the test
 * vectors in `hash.test.ts` pin it to the reference algorithm.
 */

const utf8Encoder = new TextEncoder();

const multiplier1 = 0xcc9e2d51;
const multiplier2 = 0x1b873593;

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** Scrambles one 32-bit block before it is mixed into the running hash. */
function scramble(block: number): number {
  return Math.imul(rotateLeft(Math.imul(block, multiplier1), 15), multiplier2);
}

/** The final avalanche: every input bit affects every output bit. */
function finalMix(hash: number): number {
  let mixed = hash ^ (hash >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

export function murmur3x86of32(bytes: Uint8Array, seed = 0): number {
  let hash = seed | 0;
  const wholeBlocksBytes = bytes.length - (bytes.length % 4);
  for (let offset = 0; offset < wholeBlocksBytes; offset += 4) {
    const block =
      bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
    hash ^= scramble(block);
    hash = rotateLeft(hash, 13);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  // The 1 to 3 bytes after the last whole block, read little-endian.
  let tail = 0;
  for (let index = bytes.length - 1; index >= wholeBlocksBytes; index -= 1) {
    tail = (tail << 8) | bytes[index]!;
  }
  if (bytes.length > wholeBlocksBytes) hash ^= scramble(tail);
  return finalMix(hash ^ bytes.length);
}

/** Where a key sits on the ring: a token in [0, 2^32). */
export function keyToken(key: string): number {
  return murmur3x86of32(utf8Encoder.encode(key), 0);
}
