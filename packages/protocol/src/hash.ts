/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain), over the UTF-8 bytes of a string. Keys and vnode
 * labels map to 32-bit unsigned tokens on the ring. The UTF-8 encoding goes into a scratch buffer reused
 * across calls, so hashing allocates nothing but the small result object of `encodeInto`.
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

export function murmur3(bytes: Uint8Array, length: number = bytes.length, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // The 1 to 3 trailing bytes, little-endian, as the reference's fall-through switch mixes them.
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The ring position of a key: murmur3 of its UTF-8 bytes, an unsigned 32-bit integer. */
export function keyToken(key: string): number {
  const { bytes, length } = utf8(key);
  return murmur3(bytes, length, 0);
}

export function hashString(text: string, seed = 0): number {
  const { bytes, length } = utf8(text);
  return murmur3(bytes, length, seed);
}
