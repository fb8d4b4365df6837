/**
 * The ring position of a key, computed exactly as the nodes compute it (MurmurHash3 x86_32 over the key's
 * UTF-8 bytes, seed 0; `keyToken` in packages/node/src/core/hash.ts). A copy rather than an import because
 * packages do not deep-import one another and the client must stay free of the server's code; the tests
 * hold it to the published vectors and to the answers of a real node's `get_node`.
 */

const encoder = new TextEncoder();

export function murmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const length = bytes.length;
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

/** A key's ring position: an unsigned 32-bit integer. */
export function keyToken(key: string): number {
  return murmur3(encoder.encode(key), 0);
}
