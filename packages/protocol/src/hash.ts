/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain), over the UTF-8 bytes of a string. Keys and vnode
 * labels map to 32-bit unsigned tokens on the ring. An ASCII string is its own UTF-8: its character codes
 * are hashed as they are (`murmur3Ascii`), with no encoding, native call or allocation; any other string
 * is encoded into a scratch buffer reused across calls.
 */

const encoder = new TextEncoder();
// Keys are at most 1024 bytes (limits.keyBytesMax); labels are short. Longer inputs get a fresh buffer.
let scratch = new Uint8Array(4096);

function utf8(text: string): { bytes: Uint8Array; length: number } {
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch, length: written };
}

/** One 4-byte block `k` mixed into the state `h` (MurmurHash3's body step). */
function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function scramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** The tail's 1 to 3 bytes `k` (0: none), the length and the final avalanche. */
function finish(h: number, k: number, tail: number, length: number): number {
  if (tail > 0) h ^= scramble(k);
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function murmur3(bytes: Uint8Array, length: number = bytes.length, seed = 0): number {
  let h = seed >>> 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h = mixBlock(h, (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
  }
  // The 1 to 3 trailing bytes, little-endian, as the reference's fall-through switch mixes them.
  const tail = length & 3;
  let k = 0;
  if (tail === 3) k ^= bytes[blocks + 2]! << 16;
  if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
  if (tail >= 1) k ^= bytes[blocks]!;
  return finish(h, k, tail, length);
}

/**
 * `murmur3` of `text`'s character codes as bytes, when every one is ASCII (below 0x80: then they are its
 * UTF-8 bytes); -1 as soon as one is not (a hash is never negative).
 */
function murmur3Ascii(text: string, seed: number): number {
  const length = text.length;
  let h = seed >>> 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const b0 = text.charCodeAt(i);
    const b1 = text.charCodeAt(i + 1);
    const b2 = text.charCodeAt(i + 2);
    const b3 = text.charCodeAt(i + 3);
    if ((b0 | b1 | b2 | b3) > 0x7f) return -1;
    h = mixBlock(h, (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0);
  }
  let k = 0;
  for (let i = blocks; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    k ^= code << ((i - blocks) * 8);
  }
  return finish(h, k, length & 3, length);
}

/**
 * `murmur3` of four 32-bit words as 16 little-endian bytes, without building them: what the hash tree
 * digests a record version with (core/merkle.ts), several times per write on every replica.
 */
export function murmur3Words(a: number, b: number, c: number, d: number, seed = 0): number {
  let h = seed >>> 0;
  h = mixBlock(h, a >>> 0);
  h = mixBlock(h, b >>> 0);
  h = mixBlock(h, c >>> 0);
  h = mixBlock(h, d >>> 0);
  return finish(h, 0, 0, 16);
}

/** The ring position of a key: murmur3 of its UTF-8 bytes, an unsigned 32-bit integer. */
export function keyToken(key: string): number {
  return hashString(key, 0);
}

export function hashString(text: string, seed = 0): number {
  const ascii = murmur3Ascii(text, seed);
  if (ascii >= 0) return ascii;
  const { bytes, length } = utf8(text);
  return murmur3(bytes, length, seed);
}
