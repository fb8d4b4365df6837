/**
 * The measurements: lookup throughput (best of a few passes over the same keys) and, for a placement, how
 * evenly 1,000,000 keys spread over 10 nodes and how many move when an 11th node joins.
 */
import type { Placement } from './placements.js';

/** A fast deterministic PRNG (mulberry32): every run and every placement sees the same keys. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random keys shaped like application keys (`user:` and 12 random digits, unique by suffix). */
export function randomKeys(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) keys[i] = `user:${Math.floor(random() * 1e12)}:${i}`;
  return keys;
}

/** CPU time (user + system) this process has used, in milliseconds. */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface Rate {
  /** Lookups per wall-clock second. */
  wall: number;
  /** Lookups per second of this process's CPU time: steadier when other work shares the machine. */
  cpu: number;
}

/**
 * Lookups per second of `lookup` over `inputs`, the best of `passes` timed passes after one untimed
 * warm-up pass over the first `warmupCount` inputs (so the JIT has compiled the path being timed).
 */
export function lookupsPerSecond<T>(
  inputs: readonly T[],
  lookup: (input: T) => unknown,
  passes: number,
  warmupCount = Math.min(inputs.length, 100_000),
): Rate {
  let sink = 0;
  for (let i = 0; i < warmupCount; i++) if (lookup(inputs[i]!) !== undefined) sink++;
  const best: Rate = { wall: 0, cpu: 0 };
  for (let pass = 0; pass < passes; pass++) {
    const startMs = performance.now();
    const startCpuMs = cpuMs();
    for (let i = 0; i < inputs.length; i++) if (lookup(inputs[i]!) !== undefined) sink++;
    best.wall = Math.max(best.wall, inputs.length / ((performance.now() - startMs) / 1000));
    best.cpu = Math.max(best.cpu, inputs.length / (Math.max(cpuMs() - startCpuMs, 0.001) / 1000));
  }
  // Using the sink keeps the loop's results observable, so no pass can be optimised away.
  if (sink !== warmupCount + passes * inputs.length) throw new Error('bench: a lookup returned undefined');
  return best;
}

export interface Distribution {
  name: string;
  pointsPerNode: number;
  /** Keys on the most loaded node over the mean, with 10 nodes. */
  maxOverMean: number;
  minOverMean: number;
  /** Fraction of keys whose owner changes when the 11th node joins. */
  movedFraction: number;
  /** ringkv only, with RF 3: replicas held by the most loaded node over the mean, with 10 nodes. */
  replicaMaxOverMean: number | undefined;
  /** ringkv only: fraction of keys whose replica set (RF 3) changes on the join. */
  replicaSetChangedFraction: number | undefined;
  elapsedMs: number;
}

export function measureDistribution(placement: Placement, keys: readonly string[]): Distribution {
  const startMs = performance.now();
  const counts = new Map<string, number>();
  let moved = 0;
  for (const key of keys) {
    const owner = placement.before(key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
    if (placement.after(key) !== owner) moved++;
  }
  const mean = keys.length / counts.size;
  return {
    name: placement.name,
    pointsPerNode: placement.pointsPerNode,
    maxOverMean: Math.max(...counts.values()) / mean,
    minOverMean: Math.min(...counts.values()) / mean,
    movedFraction: moved / keys.length,
    ...(placement.replicas ? replicaFigures(placement.replicas, keys) : noReplicaFigures),
    elapsedMs: performance.now() - startMs,
  };
}

const noReplicaFigures = { replicaMaxOverMean: undefined, replicaSetChangedFraction: undefined };

function replicaFigures(replicas: NonNullable<Placement['replicas']>, keys: readonly string[]) {
  const held = new Map<string, number>();
  let changed = 0;
  for (const key of keys) {
    const before = replicas.before(key);
    for (const node of before) held.set(node, (held.get(node) ?? 0) + 1);
    if (replicas.after(key).some((node) => !before.includes(node))) changed++;
  }
  let total = 0;
  for (const count of held.values()) total += count;
  return {
    replicaMaxOverMean: Math.max(...held.values()) / (total / held.size),
    replicaSetChangedFraction: changed / keys.length,
  };
}
