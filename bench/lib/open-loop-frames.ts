/**
 * The open-loop generator's requests, built before the cell starts: the same key sequence and read/update
 * mix as `ws-load.ts` (its seeded PRNG and `keyAt`), each request already framed, so sending one is a
 * single socket write of a slice of one buffer: no string, no random draw, no allocation but the slice.
 *
 * Request `index` (0, 1, 2, ... in intended-send order) goes to connection `index % connections` and
 * carries the id `floor(index / connections) + 1` there: ids are per connection, as in `ws-load.ts`.
 */
import { keyAt, seededRandom } from './keys.js';
import { clientHeaderBytes, writeClientFrame } from './raw-ws.js';

/** A bound on the frames built up front (memory: ~60 B a read, ~170 B an update). */
export const openLoopFramesMax = 5_000_000;

export interface FrameSet {
  bytes: Buffer;
  /** Request `index` is `bytes[offsets[index] .. offsets[index + 1])`. */
  offsets: Uint32Array;
  count: number;
}

export interface FrameSetOptions {
  count: number;
  connections: number;
  keyspace: number;
  readFraction: number;
  valueJson: string;
  seed: number;
}

export function connectionOf(index: number, connections: number): number {
  return index % connections;
}

export function idOf(index: number, connections: number): number {
  return Math.floor(index / connections) + 1;
}

/** The request text, drawing the key and the operation as `ws-load.ts`'s `LoadState.request` does. */
export function requestText(id: number, random: () => number, options: FrameSetOptions): string {
  const key = keyAt(Math.floor(random() * options.keyspace));
  if (random() < options.readFraction) return `{"id":${id},"op":"read","key":"${key}"}`;
  return `{"id":${id},"op":"update","key":"${key}","value":${options.valueJson}}`;
}

/**
 * Two passes over the same seeded sequence: the first sizes the buffer, the second writes the frames, so
 * no array of request strings outlives the build (it would be promoted and collected in the window).
 */
export function buildFrames(options: FrameSetOptions): FrameSet {
  if (!(options.count >= 1 && options.count <= openLoopFramesMax)) {
    throw new Error(`open loop: ${options.count} requests to build, allowed 1 to ${openLoopFramesMax}`);
  }
  let total = 0;
  let random = seededRandom(options.seed);
  for (let index = 0; index < options.count; index++) {
    const length = requestText(idOf(index, options.connections), random, options).length;
    total += clientHeaderBytes(length) + length;
  }
  const bytes = Buffer.allocUnsafe(total);
  const offsets = new Uint32Array(options.count + 1);
  random = seededRandom(options.seed);
  let at = 0;
  for (let index = 0; index < options.count; index++) {
    offsets[index] = at;
    at = writeClientFrame(bytes, at, requestText(idOf(index, options.connections), random, options));
  }
  offsets[options.count] = at;
  return { bytes, offsets, count: options.count };
}
