/**
 * Token allocation for a joining node, after Cassandra's replication-aware token allocator
 * (CASSANDRA-7032): instead of random tokens, the newcomer places its tokens one at a time, each where it
 * best evens out the load of every node, counting both the keys a node owns as primary and the keys it
 * holds as one of `replicationFactor` replicas (what it stores).
 *
 * Each token cuts a slice off the front of one range: the newcomer becomes primary of the slice, taking
 * it from the range's owner, and enters the replica set of the slice and of the few ranges just before it
 * whose clockwise walk now meets it first, pushing out the last replica of each. The slice is the
 * newcomer's per-token share of its target, so its load grows evenly over its tokens.
 *
 * Existing tokens never move, so a join moves only the keys the newcomer takes (about 1/(N + 1)). The
 * result is a pure function of (ring, id, vnodes, replicationFactor); it depends on the ring the joiner
 * saw, so a node's tokens travel with its membership rather than being recomputed by every peer.
 */
import { limits } from '@ringkv/protocol';
import { hashString } from './hash.js';
import { assertVnodes, type Ring, tokenSpace } from './ring.js';
import { assert, type NodeId } from './types.js';

/**
 * Ranges scored per token placed. Past it (more than 4096 ranges on the ring) each round scores every k-th
 * range, a different k-th each round, so a 256-node ring still allocates in about a second.
 */
const candidatesPerTokenMax = 4096;

export interface AllocateOptions {
  /** Tests only: after every token, recompute every cached cut from scratch and assert they match. */
  verifyCache?: boolean;
}

/** Tokens for a new node joining `ring`, chosen to even out primary and replicated load; ascending. */
export function allocateTokens(
  ring: Ring,
  id: NodeId,
  vnodes: number,
  replicationFactor: number = limits.replicationFactorDefault,
  options: AllocateOptions = {},
): number[] {
  assertVnodes(vnodes);
  assert(!ring.has(id), `allocateTokens: ${id} is already a member`);
  assert(
    Number.isInteger(replicationFactor) && replicationFactor >= 1,
    `allocateTokens: replicationFactor must be a positive integer, got ${replicationFactor}`,
  );
  if (ring.tokenCount === 0) return evenlySpacedTokens(id, vnodes);
  // With no more nodes than replicas, every node holds every key: only primary load can be evened out.
  const allocation = new Allocation(ring, ring.size + 1 <= replicationFactor ? 1 : replicationFactor);
  const chosen: number[] = [];
  const stride = Math.ceil((ring.tokenCount + vnodes) / candidatesPerTokenMax);
  for (let placed = 0; placed < vnodes; placed++) {
    const quota = (allocation.primaryTarget - allocation.primary[allocation.joiner]!) / (vnodes - placed);
    const best = allocation.bestCut(quota, (placed + 1) / vnodes, stride, placed % stride);
    if (best === undefined) break;
    chosen.push(allocation.apply(best.index, best.amount - jitter(id, placed, best.amount)));
    if (options.verifyCache) allocation.verifyCache();
  }
  return chosen.sort((a, b) => a - b);
}

/**
 * Up to 1/64 of a cut, from a hash of the joiner's id. Two nodes joining at once against the same ring
 * would otherwise pick the very same tokens, and the one with the larger id would own nothing (the ring
 * gives a shared token to the smaller id). Joins should still be one at a time for balance.
 */
function jitter(id: NodeId, placed: number, amount: number): number {
  return hashString(`${id}#${placed}`) % Math.max(1, Math.floor(amount / 64));
}

/** The first node's tokens: evenly spaced, offset by a hash of its id so clusters differ. */
export function evenlySpacedTokens(id: NodeId, vnodes: number): number[] {
  assertVnodes(vnodes);
  const spacing = Math.floor(tokenSpace / vnodes);
  const offset = hashString(id) % spacing;
  const tokens: number[] = [];
  for (let i = 0; i < vnodes; i++) tokens.push(offset + i * spacing);
  return tokens;
}

/**
 * What cutting range `index` does, apart from the slice's size: its owner and width, what happens to the
 * slice's replica set, and the replicated-load changes from the ranges before it (per node, summed).
 */
interface CutShape {
  owner: number;
  width: number;
  /** The node pushed out of the slice's replica set by the joiner; -1 when none (or already a replica). */
  sliceDropped: number;
  sliceJoinerIsReplica: boolean;
  earlierNodes: number[];
  earlierReplicatedDeltas: number[];
}

/** The ring being built: existing tokens plus the joiner's so far, every node's loads, and cut shapes. */
class Allocation {
  readonly joiner: number;
  readonly primaryTarget: number;
  readonly replicatedTarget: number;
  readonly primary: Float64Array;
  readonly replicated: Float64Array;
  private readonly tokens: number[] = [];
  private readonly owners: number[] = [];
  private readonly shapes: CutShape[];
  private readonly replicationFactor: number;
  // Scratch for one cut's load changes, reused so scoring every range allocates nothing.
  private readonly deltaNodes: number[] = [];
  private readonly primaryDeltas: number[] = [];
  private readonly replicatedDeltas: number[] = [];

  constructor(ring: Ring, replicationFactor: number) {
    const ids = ring.nodes();
    const indexOf = new Map(ids.map((id, index) => [id, index]));
    for (let i = 0; i < ring.tokenCount; i++) {
      this.tokens.push(ring.tokenAt(i));
      this.owners.push(indexOf.get(ring.nodeAt(i))!);
    }
    this.joiner = ids.length;
    this.replicationFactor = replicationFactor;
    const nodesAfter = ids.length + 1;
    this.primaryTarget = tokenSpace / nodesAfter;
    this.replicatedTarget = (Math.min(replicationFactor, nodesAfter) * tokenSpace) / nodesAfter;
    this.primary = new Float64Array(nodesAfter);
    this.replicated = new Float64Array(nodesAfter);
    for (let i = 0; i < this.tokens.length; i++) {
      const width = this.width(i);
      this.primary[this.owners[i]!]! += width;
      for (const node of this.replicas(i)) this.replicated[node]! += width;
    }
    this.shapes = this.tokens.map((_, index) => this.shapeAt(index));
  }

  /**
   * The cut of about `quota` tokens that lowers the cost most, among every `stride`-th range from
   * `offset`; ties go to the smaller index.
   */
  bestCut(
    quota: number,
    progress: number,
    stride: number,
    offset: number,
  ): { index: number; amount: number } | undefined {
    let best: { index: number; amount: number; cost: number } | undefined;
    for (let index = offset; index < this.shapes.length; index += stride) {
      const shape = this.shapes[index]!;
      if (shape.owner === this.joiner || shape.width < 2) continue;
      const amount = Math.min(Math.max(1, Math.round(quota)), shape.width - 1);
      const cost = this.score(shape, amount, progress);
      if (best === undefined || cost < best.cost) best = { index, amount, cost };
    }
    return best;
  }

  /** Places the joiner's token `amount` past the start of range `index`; returns the token. */
  apply(index: number, amount: number): number {
    const shape = this.shapes[index]!;
    this.collectDeltas(shape, amount);
    this.deltaNodes.forEach((node, k) => {
      this.primary[node]! += this.primaryDeltas[k]!;
      this.replicated[node]! += this.replicatedDeltas[k]!;
    });
    const count = this.tokens.length;
    const token = (this.tokens[(index + count - 1) % count]! + amount) % tokenSpace;
    // The token sits just before tokens[index], or at the end when the cut wrapped past 2^32 - 1.
    const at = index === 0 && token > this.tokens[count - 1]! ? count : index;
    this.tokens.splice(at, 0, token);
    this.owners.splice(at, 0, this.joiner);
    this.shapes.splice(at, 0, shape);
    this.refreshShapesAround(at);
    return token;
  }

  verifyCache(): void {
    this.shapes.forEach((shape, index) => {
      const fresh = JSON.stringify(this.shapeAt(index));
      assert(JSON.stringify(shape) === fresh, `allocateTokens: stale cut shape at ${index}`);
    });
  }

  /**
   * A shape depends on the ranges back to where its walk met `replicationFactor` distinct nodes, on the
   * replica sets of those ranges, which reach no further forward than its own, and on its own replica set.
   * So a new token changes only the shapes of ranges whose forward walk reaches it (up to
   * `replicationFactor` distinct owners before it) or whose backward walk does (as many after it), and the
   * range it cut. One more distinct owner either side is a margin; `verifyCache` checks the argument.
   */
  private refreshShapesAround(at: number): void {
    const count = this.tokens.length;
    const reach = this.replicationFactor + 1;
    const back = this.stepsUntilDistinct(at, -1, reach);
    const forward = this.stepsUntilDistinct(at, 1, reach);
    if (back + forward + 1 >= count) {
      for (let index = 0; index < count; index++) this.shapes[index] = this.shapeAt(index);
      return;
    }
    for (let offset = -back; offset <= forward; offset++) {
      const index = (at + offset + count) % count;
      this.shapes[index] = this.shapeAt(index);
    }
  }

  /** Steps from `at` in `direction` until `distinct` different owners have been passed (or a full turn). */
  private stepsUntilDistinct(at: number, direction: 1 | -1, distinct: number): number {
    const count = this.tokens.length;
    const seen: number[] = [];
    let steps = 0;
    while (steps < count && seen.length < distinct) {
      steps++;
      const owner = this.owners[(at + direction * steps + count * steps) % count]!;
      if (!seen.includes(owner)) seen.push(owner);
    }
    return steps;
  }

  private shapeAt(index: number): CutShape {
    const replicas = this.replicas(index);
    const sliceJoinerIsReplica = replicas.includes(this.joiner);
    const full = replicas.length === this.replicationFactor;
    const shape: CutShape = {
      owner: this.owners[index]!,
      width: this.width(index),
      sliceDropped: !sliceJoinerIsReplica && full ? replicas[replicas.length - 1]! : -1,
      sliceJoinerIsReplica,
      earlierNodes: [],
      earlierReplicatedDeltas: [],
    };
    const count = this.tokens.length;
    const seen: number[] = [];
    // Walk back while the walk from j to index - 1 meets fewer distinct nodes than a replica set holds:
    // those ranges' walks reach the new token, so the joiner enters their sets.
    for (let back = 1; back < count; back++) {
      const j = (index - back + count) % count;
      const owner = this.owners[j]!;
      if (owner === this.joiner) break;
      if (!seen.includes(owner)) seen.push(owner);
      if (seen.length >= this.replicationFactor) break;
      const earlier = this.replicas(j);
      if (earlier.includes(this.joiner)) continue;
      const width = this.width(j);
      addTo(shape.earlierNodes, shape.earlierReplicatedDeltas, this.joiner, width);
      if (earlier.length === this.replicationFactor) {
        addTo(shape.earlierNodes, shape.earlierReplicatedDeltas, earlier[earlier.length - 1]!, -width);
      }
    }
    return shape;
  }

  /** Every node's load change for this cut, into the scratch arrays. */
  private collectDeltas(shape: CutShape, amount: number): void {
    this.deltaNodes.length = 0;
    this.primaryDeltas.length = 0;
    this.replicatedDeltas.length = 0;
    this.book(this.joiner, amount, shape.sliceJoinerIsReplica ? 0 : amount);
    this.book(shape.owner, -amount, 0);
    if (shape.sliceDropped !== -1) this.book(shape.sliceDropped, 0, -amount);
    for (let k = 0; k < shape.earlierNodes.length; k++) {
      this.book(shape.earlierNodes[k]!, 0, shape.earlierReplicatedDeltas[k]!);
    }
  }

  private book(node: number, primaryDelta: number, replicatedDelta: number): void {
    const k = this.deltaNodes.indexOf(node);
    if (k === -1) {
      this.deltaNodes.push(node);
      this.primaryDeltas.push(primaryDelta);
      this.replicatedDeltas.push(replicatedDelta);
      return;
    }
    this.primaryDeltas[k]! += primaryDelta;
    this.replicatedDeltas[k]! += replicatedDelta;
  }

  /**
   * The change in the sum over nodes of squared relative distances from target, primary and replicated.
   * The joiner's targets grow with its tokens placed (`progress`), so its load spreads over all of them.
   */
  private score(shape: CutShape, amount: number, progress: number): number {
    this.collectDeltas(shape, amount);
    let cost = 0;
    for (let k = 0; k < this.deltaNodes.length; k++) {
      const node = this.deltaNodes[k]!;
      const scale = node === this.joiner ? progress : 1;
      cost += squaredChange(this.primary[node]!, this.primaryDeltas[k]!, this.primaryTarget * scale);
      cost += squaredChange(this.replicated[node]!, this.replicatedDeltas[k]!, this.replicatedTarget * scale);
    }
    return cost;
  }

  /** The first min(replicationFactor, nodes met) distinct owners clockwise from `index`. */
  private replicas(index: number): number[] {
    const result: number[] = [];
    const count = this.tokens.length;
    for (let step = 0, i = index; result.length < this.replicationFactor && step < count; step++) {
      const owner = this.owners[i]!;
      if (!result.includes(owner)) result.push(owner);
      i = i + 1 === count ? 0 : i + 1;
    }
    return result;
  }

  private width(index: number): number {
    const count = this.tokens.length;
    if (count === 1) return tokenSpace;
    const end = this.tokens[index]!;
    const start = this.tokens[index === 0 ? count - 1 : index - 1]!;
    return end > start ? end - start : end - start + tokenSpace;
  }
}

function addTo(nodes: number[], deltas: number[], node: number, delta: number): void {
  const k = nodes.indexOf(node);
  if (k === -1) {
    nodes.push(node);
    deltas.push(delta);
  } else {
    deltas[k]! += delta;
  }
}

function squaredChange(load: number, delta: number, target: number): number {
  const before = (load - target) / target;
  const after = (load + delta - target) / target;
  return after * after - before * before;
}
