/**
 * The key placements the ring benchmark compares, each a 10-node ring and the same ring after an 11th
 * node joins: ringkv with random murmur3 tokens, ringkv with the token allocator, and the npm package
 * `hashring` (ketama over md5) at its default 160 points per node and at 640.
 */
import HashRing from 'hashring';
import { defaultTokens, Ring } from '../../packages/node/src/core/ring.js';
import { allocateTokens } from '../../packages/node/src/core/tokens.js';

export interface Placement {
  name: string;
  pointsPerNode: number;
  before: (key: string) => string;
  after: (key: string) => string;
  /** ringkv only: the replica set (first 3 distinct nodes) before and after, for the RF 3 column. */
  replicas?: { before: (key: string) => string[]; after: (key: string) => string[] };
}

export const nodesBefore = 10;
export const vnodes = 128;
export const replicationFactor = 3;

export function nodeIdAt(index: number): string {
  return `10.0.0.${index + 1}:7001`;
}

export const idsBefore = Array.from({ length: nodesBefore }, (_, index) => nodeIdAt(index));
export const joiner = nodeIdAt(nodesBefore);

export function randomTokenRing(ids: readonly string[]): Ring {
  return Ring.fromMembers(ids.map((id) => ({ id, tokens: defaultTokens(id, vnodes) })));
}

/** Nodes join one at a time, each taking allocator tokens against the ring it finds. */
export function allocatedRing(ids: readonly string[], start: Ring = Ring.empty()): Ring {
  return ids.reduce((ring, id) => ring.addNode(id, allocateTokens(ring, id, vnodes)), start);
}

function ringPlacement(name: string, before: Ring, after: Ring): Placement {
  return {
    name,
    pointsPerNode: vnodes,
    before: (key) => before.nodeFor(key),
    after: (key) => after.nodeFor(key),
    replicas: {
      before: (key) => [...before.preferenceList(key, replicationFactor)],
      after: (key) => [...after.preferenceList(key, replicationFactor)],
    },
  };
}

/**
 * Where `hashring.get` places a key, without its LRU cache: the same point lookup `get` makes on a cache
 * miss. The cache only slows a pass over a million distinct keys (every key misses and is inserted), and the
 * distribution passes are what would otherwise make this benchmark run for minutes on a busy machine.
 */
function locate(ring: HashRing, key: string): string {
  return ring.ring[ring.find(ring.hashValue(key))]!.server;
}

function hashringPlacement(vnodeCount: number): Placement {
  // ketama: each of `vnode count` hashes gives 4 points on the ring.
  const options = { 'vnode count': vnodeCount };
  const before = new HashRing([...idsBefore], 'md5', options);
  const after = new HashRing([...idsBefore, joiner], 'md5', options);
  return {
    name: `hashring (npm), ${vnodeCount} vnodes x 4`,
    pointsPerNode: vnodeCount * 4,
    before: (key) => locate(before, key),
    after: (key) => locate(after, key),
  };
}

export function placements(): Placement[] {
  const random = randomTokenRing(idsBefore);
  const allocated = allocatedRing(idsBefore);
  return [
    ringPlacement(
      'ringkv, random murmur3 tokens',
      random,
      random.addNode(joiner, defaultTokens(joiner, vnodes)),
    ),
    ringPlacement('ringkv, token allocator', allocated, allocatedRing([joiner], allocated)),
    hashringPlacement(40),
    hashringPlacement(160),
  ];
}

export function hashringForLookups(): HashRing {
  return new HashRing([...idsBefore], 'md5');
}
