/**
 * The consistent-hashing ring: an immutable snapshot of which node owns which 32-bit token.
 *
 * A token owns the range (previous token, token]; a key belongs to the first token >= its `keyToken`,
 * wrapping past 2^32 - 1 to the smallest token. A key's replicas are the first n distinct nodes met walking
 * clockwise from there (SPEC 5). Ranges are written (startExclusive, endInclusive]; when
 * startExclusive >= endInclusive the range wraps past 2^32 - 1, and startExclusive === endInclusive is the
 * whole ring (the same convention as `Store.scan`).
 *
 * The ring is a pure function of its members: the same members in any order give the same ring and the
 * same checksum. Two members claiming the same token is resolved the same way everywhere: the smaller node
 * id owns it (the other keeps it declared, so removing the winner hands it back).
 */
import { limits } from '@ringkv/protocol';
import { hashString, keyToken } from './hash.js';
import { assert, type NodeId } from './types.js';

export interface RingMember {
  id: NodeId;
  /** Unsigned 32-bit integers. */
  tokens: ArrayLike<number>;
}

export interface TokenRange {
  startExclusive: number;
  endInclusive: number;
}

export const tokenSpace = 2 ** 32;
// Packing (token, node index) into one float64 for a numeric sort needs token * 2^21 + index < 2^53.
const nodeIndexLimit = 2 ** 21;

export class Ring {
  /** Distinct member nodes. */
  readonly size: number;
  /** A digest of every declared (token, node) pair: equal rings have equal checksums. */
  readonly checksum: string;
  /** Effective tokens, ascending and distinct; `tokens[i]` owns (tokens[i - 1], tokens[i]]. */
  private readonly tokens: Uint32Array;
  /** `owners[i]` is the index in `nodeIds` of the node owning `tokens[i]`. */
  private readonly owners: Uint32Array;
  private readonly nodeIds: readonly NodeId[];
  private readonly declared: ReadonlyMap<NodeId, readonly number[]>;
  /**
   * Preference lists already computed, per list length and token index. A ring never changes, so every
   * key at one token shares one list: the read path asks for it on every operation, and computing it
   * allocated a growing array each time.
   */
  private readonly preferenceLists = new Map<number, Array<readonly NodeId[] | undefined>>();

  private constructor(declared: Map<NodeId, number[]>) {
    this.declared = declared;
    this.nodeIds = [...declared.keys()].sort(compareIds);
    this.size = this.nodeIds.length;
    assert(this.size < nodeIndexLimit, 'ring: too many nodes');
    const packed = packPairs(this.nodeIds, declared);
    this.checksum = digest(packed, this.nodeIds);
    // After the sort, equal tokens sit together with the smaller node index (smaller id) first: keep it.
    let count = 0;
    const tokens = new Uint32Array(packed.length);
    const owners = new Uint32Array(packed.length);
    for (let i = 0; i < packed.length; i++) {
      const token = Math.floor(packed[i]! / nodeIndexLimit);
      if (count > 0 && tokens[count - 1] === token) continue;
      tokens[count] = token;
      owners[count] = packed[i]! - token * nodeIndexLimit;
      count++;
    }
    this.tokens = tokens.slice(0, count);
    this.owners = owners.slice(0, count);
  }

  static empty(): Ring {
    return new Ring(new Map());
  }

  static fromMembers(members: Iterable<RingMember>): Ring {
    const declared = new Map<NodeId, number[]>();
    for (const member of members) {
      assert(!declared.has(member.id), `ring: member ${member.id} appears twice`);
      declared.set(member.id, normaliseTokens(member.id, member.tokens));
    }
    return new Ring(declared);
  }

  /** Effective tokens on the ring (after resolving collisions). */
  get tokenCount(): number {
    return this.tokens.length;
  }

  /** The token at `index` in ascending order. */
  tokenAt(index: number): number {
    return this.tokens[index]!;
  }

  /** The node owning the token at `index`. */
  nodeAt(index: number): NodeId {
    return this.nodeIds[this.owners[index]!]!;
  }

  nodes(): NodeId[] {
    return [...this.nodeIds];
  }

  has(id: NodeId): boolean {
    return this.declared.has(id);
  }

  /** The tokens `id` declared, ascending; empty when it is not a member. */
  tokensOf(id: NodeId): number[] {
    return [...(this.declared.get(id) ?? [])];
  }

  entries(): Array<{ token: number; node: NodeId }> {
    const result = new Array<{ token: number; node: NodeId }>(this.tokens.length);
    for (let i = 0; i < this.tokens.length; i++) result[i] = { token: this.tokens[i]!, node: this.nodeAt(i) };
    return result;
  }

  members(): RingMember[] {
    return this.nodeIds.map((id) => ({ id, tokens: this.tokensOf(id) }));
  }

  /** A new ring with `id` added; its tokens default to `defaultTokens(id, vnodesDefault)`. */
  addNode(id: NodeId, tokens: ArrayLike<number> = defaultTokens(id, limits.vnodesDefault)): Ring {
    assert(!this.declared.has(id), `ring: ${id} is already a member`);
    const declared = new Map(this.declared as Map<NodeId, number[]>);
    declared.set(id, normaliseTokens(id, tokens));
    return new Ring(declared);
  }

  /** A new ring without `id`; this ring when `id` is not a member. */
  removeNode(id: NodeId): Ring {
    if (!this.declared.has(id)) return this;
    const declared = new Map(this.declared as Map<NodeId, number[]>);
    declared.delete(id);
    return new Ring(declared);
  }

  /** Index of the first token >= `token`, wrapping to 0: a binary search that allocates nothing. */
  tokenIndexFor(token: number): number {
    const tokens = this.tokens;
    assert(tokens.length > 0, 'ring: lookup on an empty ring');
    let low = 0;
    let high = tokens.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (tokens[middle]! < token) low = middle + 1;
      else high = middle;
    }
    return low === tokens.length ? 0 : low;
  }

  nodeFor(key: string): NodeId {
    return this.nodeIds[this.owners[this.tokenIndexFor(keyToken(key))]!]!;
  }

  nodeForToken(token: number): NodeId {
    return this.nodeIds[this.owners[this.tokenIndexFor(token)]!]!;
  }

  preferenceList(key: string, n: number): readonly NodeId[] {
    return this.preferenceListAt(this.tokenIndexFor(keyToken(key)), n);
  }

  preferenceListForToken(token: number, n: number): readonly NodeId[] {
    return this.preferenceListAt(this.tokenIndexFor(token), n);
  }

  /**
   * The first min(n, size) distinct nodes clockwise from the token at `index`, that token's owner first.
   * The list is shared (computed once per token and length): callers must not change it.
   */
  preferenceListAt(index: number, n: number): readonly NodeId[] {
    let lists = this.preferenceLists.get(n);
    if (!lists) {
      lists = new Array(this.tokens.length);
      this.preferenceLists.set(n, lists);
    }
    const known = lists[index];
    if (known) return known;
    const list = Object.freeze(this.computePreferenceList(index, n));
    if (index >= 0 && index < this.tokens.length) lists[index] = list;
    return list;
  }

  private computePreferenceList(index: number, n: number): NodeId[] {
    const wanted = Math.min(n, this.size);
    const result: NodeId[] = [];
    const count = this.tokens.length;
    // Bounded by one full turn of the ring: a member whose every token was lost to a collision is never met.
    // Ids come from one array, so `includes` compares the same string objects: no second array needed.
    for (let step = 0, i = index; result.length < wanted && step < count; step++) {
      const node = this.nodeIds[this.owners[i]!]!;
      if (!result.includes(node)) result.push(node);
      i = i + 1 === count ? 0 : i + 1;
    }
    return result;
  }

  /** Distinct nodes clockwise from the token, lazily, for "first live node" / sloppy-quorum walks. */
  *walk(token: number): Iterable<NodeId> {
    const count = this.tokens.length;
    if (count === 0) return;
    const seen = new Uint8Array(this.size);
    let found = 0;
    for (let step = 0, i = this.tokenIndexFor(token); found < this.size && step < count; step++) {
      const owner = this.owners[i]!;
      if (seen[owner] === 0) {
        seen[owner] = 1;
        found++;
        yield this.nodeIds[owner]!;
      }
      i = i + 1 === count ? 0 : i + 1;
    }
  }

  /** Token ranges (startExclusive, endInclusive] for which `id` is among the first n distinct nodes. */
  rangesOf(id: NodeId, n: number): TokenRange[] {
    if (!this.declared.has(id) || this.tokens.length === 0) return [];
    const labels = new Array<string | null>(this.tokens.length);
    for (let i = 0; i < this.tokens.length; i++) {
      labels[i] = this.preferenceListAt(i, n).includes(id) ? id : null;
    }
    return coalesceSegments(this.tokens, labels).map(({ startExclusive, endInclusive }) => ({
      startExclusive,
      endInclusive,
    }));
  }
}

/** The default tokens of a node: murmur3 of `${id}#${i}`, deduplicated, ascending. */
export function defaultTokens(id: NodeId, vnodes: number): number[] {
  assertVnodes(vnodes);
  const tokens = new Set<number>();
  // Duplicates are rare (vnodes^2 / 2^33); the labels run on until there are `vnodes` distinct tokens,
  // bounded because a 32-bit hash of distinct labels cannot repeat forever.
  for (let i = 0; tokens.size < vnodes && i < vnodes * 4; i++) tokens.add(hashString(`${id}#${i}`));
  return [...tokens].sort((a, b) => a - b);
}

export function assertVnodes(vnodes: number): void {
  assert(
    Number.isInteger(vnodes) && vnodes >= limits.vnodesMin && vnodes <= limits.vnodesMax,
    `vnodes must be an integer in [${limits.vnodesMin}, ${limits.vnodesMax}], got ${vnodes}`,
  );
}

/**
 * Merges consecutive segments with the same non-null label into ranges. Segment j is
 * (ends[j - 1], ends[j]], segment 0 wrapping from the last end. Returns ranges in token order of their ends.
 */
export function coalesceSegments<L>(
  ends: ArrayLike<number>,
  labels: ReadonlyArray<L | null>,
  same: (a: L, b: L) => boolean = Object.is,
): Array<TokenRange & { label: L }> {
  const count = ends.length;
  const equal = (a: L | null, b: L | null) => (a === null || b === null ? a === b : same(a, b));
  let first = 0;
  while (first < count && equal(labels[first]!, labels[(first + count - 1) % count]!)) first++;
  if (first === count) {
    // Every segment has the same label: the whole ring, or nothing.
    const label = labels[0];
    if (count === 0 || label === null || label === undefined) return [];
    return [{ startExclusive: ends[count - 1]!, endInclusive: ends[count - 1]!, label }];
  }
  const result: Array<TokenRange & { label: L }> = [];
  for (let step = 0; step < count; ) {
    const start = (first + step) % count;
    const label = labels[start]!;
    let length = 1;
    while (step + length < count && equal(labels[(start + length) % count]!, label)) length++;
    const last = (start + length - 1) % count;
    if (label !== null) {
      result.push({ startExclusive: ends[(start + count - 1) % count]!, endInclusive: ends[last]!, label });
    }
    step += length;
  }
  return result.sort((a, b) => a.endInclusive - b.endInclusive);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normaliseTokens(id: NodeId, tokens: ArrayLike<number>): number[] {
  assert(typeof id === 'string' && id.length > 0, 'ring: a node id is a non-empty string');
  assert(tokens.length > 0, `ring: ${id} has no tokens`);
  const distinct = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    assert(Number.isInteger(token) && token >= 0 && token < tokenSpace, `ring: ${id} has bad token ${token}`);
    distinct.add(token);
  }
  return [...distinct].sort((a, b) => a - b);
}

/** Every declared (token, node index) pair as token * 2^21 + index, sorted ascending. */
function packPairs(
  nodeIds: readonly NodeId[],
  declared: ReadonlyMap<NodeId, readonly number[]>,
): Float64Array {
  let total = 0;
  for (const tokens of declared.values()) total += tokens.length;
  const packed = new Float64Array(total);
  let at = 0;
  nodeIds.forEach((id, index) => {
    for (const token of declared.get(id)!) packed[at++] = token * nodeIndexLimit + index;
  });
  return packed.sort();
}

/** 64 bits of murmur3 (two seeds) over the pairs as text: deterministic across nodes and versions. */
function digest(packed: Float64Array, nodeIds: readonly NodeId[]): string {
  const parts = new Array<string>(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const token = Math.floor(packed[i]! / nodeIndexLimit);
    parts[i] = `${token}:${nodeIds[packed[i]! - token * nodeIndexLimit]}`;
  }
  const text = parts.join(',');
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  return hex(hashString(text, 0)) + hex(hashString(text, 0x9747b28c));
}
