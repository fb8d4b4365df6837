/** Everything the views derive from one `/ring` answer, computed once per ring. */
import type { RingResult } from '@ringkv/protocol';
import {
  type OwnedRange,
  primaryShares,
  type RingToken,
  rangePreferenceLists,
  replicaShares,
  ringNodes,
  ringRanges,
  sortTokens,
} from './ring.js';

export interface RingModel {
  epoch: number;
  vnodes: number;
  replicationFactor: number;
  sorted: RingToken[];
  ranges: OwnedRange[];
  /** Per range (same index): its preference list, primary first. */
  preferenceLists: string[][];
  nodes: string[];
  primaryShare: Map<string, number>;
  replicaShare: Map<string, number>;
}

export function ringModel(ring: RingResult): RingModel {
  const sorted = sortTokens(ring.tokens);
  const ranges = ringRanges(sorted);
  const preferenceLists = rangePreferenceLists(sorted, ring.replicationFactor);
  return {
    epoch: ring.epoch,
    vnodes: ring.vnodes,
    replicationFactor: ring.replicationFactor,
    sorted,
    ranges,
    preferenceLists,
    nodes: ringNodes(sorted),
    primaryShare: primaryShares(ranges),
    replicaShare: replicaShares(ranges, preferenceLists),
  };
}
