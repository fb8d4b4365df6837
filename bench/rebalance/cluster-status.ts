/**
 * What `bench:rebalance` reads from the nodes over HTTP: each node's own rebalance status (from its
 * /nodes, where a node reports itself fresh), whether a set of nodes agrees on one ring of exactly those
 * nodes with every member alive, and each node's primary share of keys from /ring.
 */
import { RingLookup } from '@ringkv/client';
import { keyAt } from '../lib/keys.js';

/** The `/ring` answer, as the client's lookup takes it. */
export type RingResult = Parameters<typeof RingLookup.fromRing>[0];

/** A node's progress in moving ranges (SPEC: `rebalance` in /nodes). */
export interface RebalanceStatus {
  rangesPending: number;
  keysMoved: number;
  bytesMoved: number;
  keysPerSecond: number;
  bytesPerSecond: number;
}

/** The parts of a `/nodes` answer this benchmark reads. */
export interface NodesResult {
  nodes: Array<{ id: string; status: string; keys: number; rebalance?: RebalanceStatus }>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const nodesOf = (address: string) => getJson<NodesResult>(`http://${address}/nodes`);
export const ringOf = (address: string) => getJson<RingResult>(`http://${address}/ring`);

/** The node's own rebalance status, or zeros when it reports none (a node that never moved data). */
export async function rebalanceOf(address: string): Promise<RebalanceStatus> {
  const self = (await nodesOf(address)).nodes.find((entry) => entry.id === address);
  return (
    self?.rebalance ?? { rangesPending: 0, keysMoved: 0, bytesMoved: 0, keysPerSecond: 0, bytesPerSecond: 0 }
  );
}

/** Every node lists exactly `addresses`, all alive, and serves the same ring made of exactly them. */
export async function settledOn(addresses: readonly string[]): Promise<boolean> {
  const wanted = JSON.stringify([...addresses].sort());
  const views = await Promise.all(addresses.map(nodesOf));
  const rings = await Promise.all(addresses.map(ringOf));
  const ringNodes = [...new Set(rings[0]?.tokens.map((token) => token.node))].sort();
  return (
    views.every(
      (view) =>
        JSON.stringify(view.nodes.map((entry) => entry.id).sort()) === wanted &&
        view.nodes.every((entry) => entry.status === 'alive'),
    ) &&
    rings.every((ring) => ring.checksum === rings[0]?.checksum) &&
    JSON.stringify(ringNodes) === wanted
  );
}

/** No node has a range left to move. */
export async function nothingPending(addresses: readonly string[]): Promise<boolean> {
  const statuses = await Promise.all(addresses.map(rebalanceOf));
  return statuses.every((status) => status.rangesPending === 0);
}

/** The share of keys `keyAt(0..keys-1)` whose primary is `node`, and whose replicas include it. */
export function sharesOf(ring: RingResult, node: string, keys: number): { primary: number; replica: number } {
  const lookup = RingLookup.fromRing(ring);
  let primary = 0;
  let replica = 0;
  for (let index = 0; index < keys; index++) {
    const replicas = lookup.preferenceList(keyAt(index));
    if (replicas[0] === node) primary++;
    if (replicas.includes(node)) replica++;
  }
  return { primary: primary / keys, replica: replica / keys };
}
