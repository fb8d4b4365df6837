/**
 * Real `ringkv node` processes with LMDB data directories for the rebalancing tests, and what those tests
 * read from them: each node's view (/nodes, /ring), its own rebalance status, and the records each node's
 * store holds, read page by page over the peer protocol (`repair-fetch` of the whole ring, the request
 * rebalancing itself uses), so a check sees what streaming put on a replica, not what a read repaired.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeStatus, RebalanceStatus } from '@ringkv/protocol';
import { Ring } from '../../src/core/ring.js';
import { PeerTransport } from '../../src/io/peer-transport.js';
import { type NodeProcess, pickFreePort, startNodeProcess } from './node-process.js';

export interface NodeEntry {
  id: string;
  status: NodeStatus;
  keys: number;
  rebalance?: RebalanceStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 250 ms; throws naming `what` and the last `detail()` after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms ${detail()}`.trim());
    await sleep(250);
  }
}

export class LmdbCluster {
  readonly dataDirs: string[] = [];
  readonly processes: NodeProcess[] = [];

  constructor(
    private readonly secret: string,
    private readonly portRange: [number, number],
  ) {}

  /** Starts one node with a fresh LMDB directory, alone or joining `seeds` (`--join`). */
  async start(seeds: readonly string[] = [], extraArgs: readonly string[] = []): Promise<NodeProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringkv-rebalance-'));
    this.dataDirs.push(dataDir);
    const args = ['--cluster-secret', this.secret, '--log-level', 'warn', ...extraArgs];
    if (seeds.length > 0) args.push('--join', seeds.join(','));
    const node = await startNodeProcess({ port: await pickFreePort(this.portRange), dataDir, args });
    this.processes.push(node);
    return node;
  }

  /**
   * A peer that knows the cluster secret, to read each node's store over the peer protocol (`dumpStore`)
   * without going through a coordinator. The caller closes it.
   */
  async inspector(): Promise<PeerTransport> {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const self = `127.0.0.1:${await pickFreePort(this.portRange)}`;
    return new PeerTransport({ self, cluster: 'ringkv', secret: this.secret, logger: quiet });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((node) => node.stop()));
    for (const dir of this.dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const nodesSeenBy = async (node: NodeProcess): Promise<NodeEntry[]> =>
  (await getJson<{ nodes: NodeEntry[] }>(`${node.url}/nodes`)).nodes;

/** The ring `node` serves, rebuilt locally (same members, same ring: Ring is deterministic). */
export async function ringSeenBy(node: NodeProcess): Promise<{ ring: Ring; checksum: string }> {
  const body = await getJson<{ checksum: string; tokens: Array<{ token: number; node: string }> }>(
    `${node.url}/ring`,
  );
  const tokens = new Map<string, number[]>();
  for (const { token, node: owner } of body.tokens) tokens.set(owner, [...(tokens.get(owner) ?? []), token]);
  return {
    ring: Ring.fromMembers([...tokens].map(([id, list]) => ({ id, tokens: list }))),
    checksum: body.checksum,
  };
}

/** This node's own rebalance status (fresh: a node samples itself on every /nodes). */
export async function rebalanceOf(node: NodeProcess): Promise<RebalanceStatus | undefined> {
  return (await nodesSeenBy(node)).find((entry) => entry.id === node.id)?.rebalance;
}

/**
 * True when every node of `members` lists exactly `members`, all alive, and serves one ring whose nodes
 * are exactly `members`.
 */
export async function settledOn(members: readonly NodeProcess[]): Promise<boolean> {
  const ids = members.map((node) => node.id).sort();
  const views = await Promise.all(members.map(nodesSeenBy));
  const rings = await Promise.all(members.map(ringSeenBy));
  const sameIds = (list: string[]) => JSON.stringify(list.sort()) === JSON.stringify(ids);
  return (
    views.every((view) => sameIds(view.map((m) => m.id)) && view.every((m) => m.status === 'alive')) &&
    new Set(rings.map((view) => view.checksum)).size === 1 &&
    sameIds(rings[0]!.ring.nodes())
  );
}

export interface MovedByNode {
  node: string;
  keys: number;
  bytes: number;
}

/**
 * Samples every process of `processes()` itself every 250 ms (a leaving node disappears from the others'
 * views) from now until `stop()`, which returns the keys and bytes each one moved meanwhile.
 */
export async function watchRebalance(processes: () => readonly NodeProcess[]) {
  const sample = async (into: Map<string, RebalanceStatus>) =>
    Promise.all(
      processes().map(async (node) => {
        const status = await rebalanceOf(node).catch(() => undefined);
        if (status) into.set(node.id, status);
      }),
    );
  const before = new Map<string, RebalanceStatus>();
  await sample(before);
  const last = new Map(before);
  let watching = true;
  const watcher = (async () => {
    for (; watching; await sleep(250)) await sample(last);
  })();
  const delta = (id: string, field: 'keysMoved' | 'bytesMoved') =>
    (last.get(id)?.[field] ?? 0) - (before.get(id)?.[field] ?? 0);
  return {
    stop: async (): Promise<MovedByNode[]> => {
      watching = false;
      await watcher;
      await sample(last);
      return processes().map(({ id }) => ({
        node: id,
        keys: delta(id, 'keysMoved'),
        bytes: delta(id, 'bytesMoved'),
      }));
    },
  };
}

/** True when no node of `members` has a range left to move, on two polls 300 ms apart. */
export async function rebalanced(members: readonly NodeProcess[]): Promise<boolean> {
  for (let poll = 0; poll < 2; poll++) {
    if (poll > 0) await sleep(300);
    const statuses = await Promise.all(members.map(rebalanceOf));
    if (!statuses.every((status) => status !== undefined && status.rangesPending === 0)) return false;
  }
  return true;
}

/** Every record (tombstones as null) in `nodeId`'s store, key -> value JSON text. */
export async function dumpStore(peer: PeerTransport, nodeId: string): Promise<Map<string, string | null>> {
  const records = new Map<string, string | null>();
  let after: { token: number; key: string } | undefined;
  // Bounded: each page advances the cursor; a million records is far beyond any test here.
  for (let page = 0; page < 1_000; page++) {
    const reply = await peer.request(
      nodeId,
      {
        type: 'repair-fetch',
        range: { startExclusive: 0, endInclusive: 0 },
        recordsMax: 1_000,
        ...(after ? { after } : {}),
      },
      15_000,
    );
    for (const { key, record } of reply.records) records.set(key, record.valueJson);
    if (!reply.next) return records;
    after = reply.next;
  }
  throw new Error(`dumpStore ${nodeId}: more than 1000 pages`);
}

/**
 * `key@replica` for every key of `keys` that some replica of `ring` (replication factor `replicas`)
 * lacks or holds with a value `accepts` refuses (`undefined`: the replica does not have the key).
 */
export async function replicaMismatches(
  peer: PeerTransport,
  ring: Ring,
  replicas: number,
  keys: Iterable<string>,
  accepts: (key: string, value: string | null | undefined) => boolean,
): Promise<string[]> {
  const ids = ring.nodes();
  const dumps = await Promise.all(ids.map((id) => dumpStore(peer, id)));
  const stores = new Map(ids.map((id, index) => [id, dumps[index]!]));
  const mismatches: string[] = [];
  for (const key of keys) {
    for (const replica of ring.preferenceList(key, replicas)) {
      if (!accepts(key, stores.get(replica)?.get(key))) mismatches.push(`${key}@${replica}`);
    }
  }
  return mismatches;
}

/** The share of `keys` whose primary (first replica) on `ring` is `nodeId`. */
export function primaryShare(ring: Ring, keys: Iterable<string>, nodeId: string): number {
  let owned = 0;
  let total = 0;
  for (const key of keys) {
    total++;
    if (ring.nodeFor(key) === nodeId) owned++;
  }
  return total === 0 ? 0 : owned / total;
}
