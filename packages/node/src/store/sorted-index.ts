/**
 * The memory engine's ordered index: (token, key) pairs sorted by token then key, kept as a list of sorted
 * chunks (the layout of Python's sortedcontainers). Inserting or removing costs a binary search plus a
 * splice within one chunk (at most `chunkSizeMaxDefault` entries) and, rarely, a splice of the chunk list;
 * seeking costs two binary searches. So a scan page costs O(log n + page), never O(n), however many records
 * the store holds.
 *
 * A chunk keeps its tokens and its keys in two parallel arrays, not an object per entry: the tokens
 * array holds its numbers unboxed (in an object's field a token, up to 2^32, is a heap number), and the
 * keys array points at the strings the store's Map holds already. That is up to two heap objects fewer
 * per stored key for V8's full collections to mark, and 37 bytes less heap per key
 * (bench/micro/store-memory.ts; docs/PERFORMANCE.md, session 17).
 */
import { compareKeys, compareTokenKey } from './key-order.js';

export interface IndexEntry {
  token: number;
  key: string;
}

/** A chunk splits in two when it grows past this; small enough that a splice is a short memmove. */
const chunkSizeMaxDefault = 1024;

export interface IndexPosition {
  chunk: number;
  offset: number;
}

/** One sorted run of entries: `tokens[i]` and `keys[i]` are entry i. */
interface Chunk {
  tokens: number[];
  keys: string[];
}

export class SortedIndex {
  private readonly chunks: Chunk[] = [];

  /** `chunkSizeMax` is settable so tests can make chunks split and empty often. */
  constructor(private readonly chunkSizeMax = chunkSizeMaxDefault) {}

  /** Adds (token, key), which is not in the index yet. */
  insert(token: number, key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ tokens: [token], keys: [key] });
      return;
    }
    const chunkIndex = Math.min(this.chunkAtOrAfter(token, key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex]!;
    const offset = this.offsetAfter(chunk, token, key);
    chunk.tokens.splice(offset, 0, token);
    chunk.keys.splice(offset, 0, key);
    if (chunk.keys.length > this.chunkSizeMax) {
      const half = chunk.keys.length >> 1;
      const upper = { tokens: chunk.tokens.splice(half), keys: chunk.keys.splice(half) };
      this.chunks.splice(chunkIndex + 1, 0, upper);
    }
  }

  /** Removes (token, key); returns whether it was there. */
  remove(token: number, key: string): boolean {
    const chunkIndex = this.chunkAtOrAfter(token, key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;
    const offset = this.offsetAfter(chunk, token, key) - 1;
    if (offset < 0 || chunk.tokens[offset] !== token || compareKeys(chunk.keys[offset]!, key) !== 0) {
      return false;
    }
    chunk.tokens.splice(offset, 1);
    chunk.keys.splice(offset, 1);
    if (chunk.keys.length === 0) this.chunks.splice(chunkIndex, 1);
    return true;
  }

  /**
   * The position of the first entry after (token, key); with no key, after every key of `token`.
   * Passing token -1 seeks to the very first entry.
   */
  seekAfter(token: number, key?: string): IndexPosition {
    const chunkIndex = this.chunkAfter(token, key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return { chunk: chunkIndex, offset: 0 };
    return { chunk: chunkIndex, offset: this.offsetAfter(chunk, token, key) };
  }

  /** The entry at `position` (a new object: scans are paged and short-lived), advancing it; undefined at the end. */
  next(position: IndexPosition): IndexEntry | undefined {
    const chunk = this.chunks[position.chunk];
    if (chunk === undefined) return undefined;
    const entry = { token: chunk.tokens[position.offset]!, key: chunk.keys[position.offset]! };
    position.offset++;
    if (position.offset >= chunk.keys.length) {
      position.chunk++;
      position.offset = 0;
    }
    return entry;
  }

  /** The first chunk whose last entry is at or after (token, key); may be chunks.length. */
  private chunkAtOrAfter(token: number, key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle]!;
      const last = chunk.keys.length - 1;
      if (compareTokenKey(chunk.tokens[last]!, chunk.keys[last]!, token, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first chunk whose last entry is strictly after the bound; may be chunks.length. */
  private chunkAfter(token: number, key?: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle]!;
      const last = chunk.keys.length - 1;
      if (compareTokenKey(chunk.tokens[last]!, chunk.keys[last]!, token, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first offset in `chunk` whose entry is strictly after the bound. */
  private offsetAfter(chunk: Chunk, token: number, key?: string): number {
    let low = 0;
    let high = chunk.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareTokenKey(chunk.tokens[middle]!, chunk.keys[middle]!, token, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
