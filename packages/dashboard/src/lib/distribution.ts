/**
 * Key distribution: how evenly the keys sit on the nodes, and where they sit along the ring.
 * Per-node counts come from the nodes (`/nodes` or the stats topic); every count includes replicas, so the
 * ideal even share is the total of stored copies divided by the number of nodes holding data.
 */
import { type OwnedRange, tokenSpace } from './ring.js';

export interface NodeLoad {
  node: string;
  keys: number;
  bytes?: number | undefined;
}

export interface DistributionRow {
  node: string;
  keys: number;
  bytes: number;
  idealKeys: number;
  idealBytes: number;
}

export interface Distribution {
  rows: DistributionRow[];
  totalKeys: number;
  totalBytes: number;
  /** Largest node count over the mean; 1 is perfectly even. Null while there are no keys. */
  imbalance: number | null;
}

export function distribution(loads: readonly NodeLoad[]): Distribution {
  const totalKeys = loads.reduce((sum, load) => sum + load.keys, 0);
  const totalBytes = loads.reduce((sum, load) => sum + (load.bytes ?? 0), 0);
  const count = loads.length;
  const idealKeys = count > 0 ? totalKeys / count : 0;
  const idealBytes = count > 0 ? totalBytes / count : 0;
  const rows = loads.map((load) => ({
    node: load.node,
    keys: load.keys,
    bytes: load.bytes ?? 0,
    idealKeys,
    idealBytes,
  }));
  const maxKeys = loads.reduce((max, load) => Math.max(max, load.keys), 0);
  return { rows, totalKeys, totalBytes, imbalance: idealKeys > 0 ? maxKeys / idealKeys : null };
}

export interface DensityBin {
  /** The bin's start as a fraction of the ring, 0..1. */
  startTurn: number;
  /** Estimated distinct keys (not copies) whose token falls in this bin. */
  keys: number;
}

/**
 * An ESTIMATE of distinct keys along the ring, in `binCount` equal slices. Nodes report only totals, so
 * each node's count is spread evenly over the span it replicates (the ranges whose preference list holds
 * it); a slice's estimate is the mean of the densities of its replicas. It shows where ownership puts
 * keys, not a scan of real key positions.
 */
export function densityAlongRing(
  ranges: readonly OwnedRange[],
  preferenceLists: readonly (readonly string[])[],
  keysByNode: ReadonlyMap<string, number>,
  binCount: number,
): DensityBin[] {
  const replicatedTokens = new Map<string, number>();
  ranges.forEach((range, index) => {
    for (const node of preferenceLists[index] ?? []) {
      replicatedTokens.set(node, (replicatedTokens.get(node) ?? 0) + range.length);
    }
  });
  const bins = Array.from({ length: binCount }, (_, index) => ({ startTurn: index / binCount, keys: 0 }));
  ranges.forEach((range, index) => {
    const replicas = preferenceLists[index] ?? [];
    if (replicas.length === 0 || range.length === 0) return;
    // Keys per token in this range: the mean over its replicas of each replica's keys per token.
    const densityPerToken =
      replicas.reduce((sum, node) => {
        const span = replicatedTokens.get(node) ?? 0;
        return sum + (span > 0 ? (keysByNode.get(node) ?? 0) / span : 0);
      }, 0) / replicas.length;
    spreadOverBins(range, densityPerToken, bins);
  });
  return bins;
}

/** Bin boundaries in whole tokens: boundary(0) = 0, boundary(binCount) = 2^32 exactly. */
function boundary(index: number, binCount: number): number {
  return Math.round((index * tokenSpace) / binCount);
}

function binOf(token: number, binCount: number): number {
  let index = Math.min(binCount - 1, Math.floor((token * binCount) / tokenSpace));
  // Rounded boundaries can sit one token off the division; settle on the bin that holds the token.
  while (index < binCount - 1 && boundary(index + 1, binCount) <= token) index += 1;
  while (index > 0 && boundary(index, binCount) > token) index -= 1;
  return index;
}

/** Adds `densityPerToken` x overlap to every bin the range (startToken, startToken + length] crosses. */
function spreadOverBins(range: OwnedRange, densityPerToken: number, bins: DensityBin[]) {
  let cursor = range.startToken;
  let remaining = range.length;
  // Bounded: a range crosses at most bins.length + 1 bin boundaries, and every step advances a bin.
  for (let guard = 0; remaining > 0 && guard <= bins.length + 1; guard += 1) {
    const binIndex = binOf(cursor, bins.length);
    const step = Math.min(remaining, boundary(binIndex + 1, bins.length) - cursor);
    bins[binIndex]!.keys += densityPerToken * step;
    remaining -= step;
    cursor = (cursor + step) % tokenSpace;
  }
}
