/**
 * A seeded pseudo-random generator for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Counter),
 * seeded through splitmix32 so nearby seeds give unrelated streams. It implements the core's `Random`, so
 * the same seed replays the same run bit for bit.
 *
 * `fork(label)` derives an independent stream: every node, the network and the scenario draw from their own
 * stream, so one component drawing one more number does not shift every other component's choices (a
 * change to the membership code does not silently change which packets the network drops).
 */
import { hashString } from '../core/hash.js';
import type { Random } from '../core/types.js';

const twoTo32 = 2 ** 32;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Prng implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe integer; its high and low 32-bit halves both feed the state. */
  constructor(readonly seed: number) {
    const low = seed >>> 0;
    const high = Math.floor(seed / twoTo32) >>> 0;
    const mix = splitmix32(low ^ Math.imul(high, 0x27d4eb2d));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // Warm up: sfc32's first outputs are correlated with the seed words.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.nextUint32() / twoTo32;
  }

  int(bound: number): number {
    if (!(bound >= 1) || !Number.isSafeInteger(bound)) throw new Error(`prng: bad bound ${bound}`);
    return Math.floor(this.next() * bound);
  }

  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('prng: pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  /** An independent stream named `label`, derived from this generator's seed (not from its position). */
  fork(label: string): Prng {
    const low = this.seed >>> 0;
    const high = Math.floor(this.seed / twoTo32) >>> 0;
    // 32 + 21 bits: stays a safe integer.
    return new Prng(hashString(label, low) * 2 ** 21 + (hashString(label, high ^ 0x5bd1e995) & 0x1fffff));
  }
}
