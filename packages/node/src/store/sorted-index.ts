/**
 * The memory engine's ordered index: entries sorted by (token, key), kept as a list of sorted chunks (the
 * layout of Python's sortedcontainers). Inserting or removing costs a binary search plus a splice within one
 * chunk (at most `chunkSizeMaxDefault` entries) and, rarely, a splice of the chunk list; seeking costs two binary
 * searches. So a scan page costs O(log n + page), never O(n), however many records the store holds.
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

export class SortedIndex<T extends IndexEntry> {
  private readonly chunks: T[][] = [];

  /** `chunkSizeMax` is settable so tests can make chunks split and empty often. */
  constructor(private readonly chunkSizeMax = chunkSizeMaxDefault) {}

  /** Adds an entry whose (token, key) is not in the index yet. */
  insert(entry: T): void {
    if (this.chunks.length === 0) {
      this.chunks.push([entry]);
      return;
    }
    const chunkIndex = Math.min(this.chunkAtOrAfter(entry.token, entry.key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex]!;
    chunk.splice(this.offsetAfter(chunk, entry.token, entry.key), 0, entry);
    if (chunk.length > this.chunkSizeMax) {
      this.chunks.splice(chunkIndex + 1, 0, chunk.splice(chunk.length >> 1));
    }
  }

  /** Removes the entry with this (token, key); returns whether it was there. */
  remove(token: number, key: string): boolean {
    const chunkIndex = this.chunkAtOrAfter(token, key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;
    const offset = this.offsetAfter(chunk, token, key) - 1;
    const found = chunk[offset];
    if (found === undefined || found.token !== token || compareKeys(found.key, key) !== 0) return false;
    chunk.splice(offset, 1);
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
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

  /** The entry at `position`, advancing it; undefined at the end. */
  next(position: IndexPosition): T | undefined {
    const chunk = this.chunks[position.chunk];
    if (chunk === undefined) return undefined;
    const entry = chunk[position.offset]!;
    position.offset++;
    if (position.offset >= chunk.length) {
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
      const last = this.lastOf(middle);
      if (compareTokenKey(last.token, last.key, token, key) < 0) low = middle + 1;
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
      const last = this.lastOf(middle);
      if (compareTokenKey(last.token, last.key, token, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first offset in `chunk` whose entry is strictly after the bound. */
  private offsetAfter(chunk: T[], token: number, key?: string): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = chunk[middle]!;
      if (compareTokenKey(entry.token, entry.key, token, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private lastOf(chunkIndex: number): T {
    const chunk = this.chunks[chunkIndex]!;
    return chunk[chunk.length - 1]!;
  }
}
