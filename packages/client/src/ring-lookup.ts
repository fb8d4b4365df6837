/**
 * Which nodes own a key, from a `/ring` answer: the first token at or after the key's token (wrapping
 * around), then the distinct nodes met walking clockwise from there. This is the client's copy of the
 * lookup the nodes do; the tests check it against a real node's `get_node` answers.
 */
import type { RingResult } from '@ringkv/protocol';
import { keyToken } from '@ringkv/protocol';

export class RingLookup {
  readonly epoch: number;
  readonly replicationFactor: number;
  /** Answers a quorum read needs; undefined from nodes that do not say (older versions). */
  readonly readQuorum: number | undefined;
  /** Acknowledgements a quorum write needs (at most the replication factor); undefined as above. */
  readonly writeQuorum: number | undefined;
  readonly checksum: string | undefined;
  private readonly tokens: Uint32Array;
  private readonly owners: string[];
  private readonly nodeCount: number;
  /**
   * The preference list of each token's range, built the first time a key falls there and shared by every
   * later call: a list per call was about 180 bytes of garbage per RingClient call (client-alloc.ts).
   */
  private readonly lists: Array<readonly string[] | undefined>;

  private constructor(ring: RingResult) {
    const entries = [...ring.tokens].sort((a, b) =>
      a.token !== b.token ? a.token - b.token : a.node < b.node ? -1 : a.node > b.node ? 1 : 0,
    );
    this.epoch = ring.epoch;
    this.checksum = ring.checksum;
    this.replicationFactor = ring.replicationFactor;
    this.readQuorum = ring.readQuorum;
    this.writeQuorum =
      ring.writeQuorum === undefined ? undefined : Math.min(ring.writeQuorum, ring.replicationFactor);
    this.tokens = Uint32Array.from(entries, (entry) => entry.token);
    this.owners = entries.map((entry) => entry.node);
    this.nodeCount = new Set(this.owners).size;
    this.lists = new Array(this.tokens.length);
  }

  static fromRing(ring: RingResult): RingLookup {
    return new RingLookup(ring);
  }

  get empty(): boolean {
    return this.tokens.length === 0;
  }

  /** Index of the first token >= `token`, wrapping to 0 past the last one. */
  private successor(token: number): number {
    let low = 0;
    let high = this.tokens.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.tokens[middle]! < token) low = middle + 1;
      else high = middle;
    }
    return low === this.tokens.length ? 0 : low;
  }

  /** The key's primary owner, or undefined on an empty ring. */
  primary(key: string): string | undefined {
    if (this.empty) return undefined;
    return this.owners[this.successor(keyToken(key))];
  }

  /**
   * The first `count` distinct nodes clockwise from the key (its preference list, primary first). The
   * array is shared between calls (frozen): copy it to change it.
   */
  preferenceList(key: string, count = this.replicationFactor): readonly string[] {
    if (this.empty) return noNodes;
    const start = this.successor(keyToken(key));
    if (count !== this.replicationFactor) return this.walk(start, count);
    let list = this.lists[start];
    if (list === undefined) {
      list = Object.freeze(this.walk(start, count));
      this.lists[start] = list;
    }
    return list;
  }

  /** The first `count` distinct owners from token index `start` on, wrapping around. */
  private walk(start: number, count: number): string[] {
    const result: string[] = [];
    const wanted = Math.min(count, this.nodeCount);
    // Bounded: at most one full turn of the ring.
    for (let step = 0; step < this.tokens.length && result.length < wanted; step++) {
      const node = this.owners[(start + step) % this.tokens.length]!;
      if (!result.includes(node)) result.push(node);
    }
    return result;
  }
}

const noNodes: readonly string[] = Object.freeze([]);
