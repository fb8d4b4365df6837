/**
 * The measurement of `bench:rebalance`: a 3-node cluster (real processes, LMDB, defaults: rf 3, quorum
 * 2) loaded with `keys` keys of 100-byte values; a steady open-loop client load measured for a window
 * before the move; a 4th node added with add_node while the same load runs (its window lasts until every
 * node has settled on the 4-node ring and has nothing left to move); then a window after the move. The
 * streaming figures come from each node's rebalance status (/nodes), differences from before the move.
 */
import path from 'node:path';
import { RingClient } from '@ringkv/client';
import { sleep, stopProcess, waitUntil } from '../lib/processes.js';
import { type RingkvNode, startRingkvNode } from '../lib/ringkv.js';
import {
  nodesOf,
  nothingPending,
  type RebalanceStatus,
  rebalanceOf,
  ringOf,
  settledOn,
  sharesOf,
} from './cluster-status.js';
import { type LoadKeysResult, loadKeys, loadValue } from './load-keys.js';
import { startOpenLoop } from './open-loop.js';
import type { IdealRow, LatencyRow, StreamRow } from './report.js';

export interface RebalanceBenchConfig {
  keys: number;
  /** Offered client operations per second of the steady load. */
  opsPerSecond: number;
  readFraction: number;
  windowMs: number;
  loadTimeoutMs: number;
  moveTimeoutMs: number;
}

export interface RebalanceBenchResult {
  load: LoadKeysResult;
  latency: LatencyRow[];
  streams: StreamRow[];
  ideal: IdealRow[];
  moveMs: number;
}

const replicationFactor = 3;
const loadWindow = 4_000;
const warmupMs = 2_000;
/** Creates, reads and updates of the load: the client's own deadline (ms). */
const clientTimeoutMs = 10_000;

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] bench:rebalance: ${message}`);
}

async function startNode(directory: string, name: string, join?: string): Promise<RingkvNode> {
  return startRingkvNode({
    logDirectory: directory,
    dataDirectory: path.join(directory, `data-${name}`),
    ...(join ? { join } : {}),
  });
}

/** Starts the 3 nodes (the 2nd and 3rd joining the 1st) and waits until they agree on one ring. */
async function startCluster(directory: string, nodes: RingkvNode[]): Promise<void> {
  nodes.push(await startNode(directory, 'a'));
  nodes.push(
    ...(await Promise.all([
      startNode(directory, 'b', nodes[0]!.address),
      startNode(directory, 'c', nodes[0]!.address),
    ])),
  );
  const addresses = nodes.map((node) => node.address);
  await waitUntil('3 nodes on one ring', () => settledOn(addresses), 60_000, 250);
}

/** Adds `fourth` with add_node and waits until all four agree and have nothing left to move. */
async function addAndWait(client: RingClient, all: readonly string[], fourth: string, timeoutMs: number) {
  await client.addNode(fourth);
  const deadline = Date.now() + timeoutMs;
  await waitUntil('4 nodes on one ring', () => settledOn(all), timeoutMs, 250);
  // Two polls in a row with nothing pending: one node may have just queued a range the other reported.
  let quietPolls = 0;
  while (quietPolls < 2) {
    if (Date.now() > deadline) throw new Error(`the move did not finish within ${timeoutMs / 1000} s`);
    quietPolls = (await nothingPending(all).catch(() => false)) ? quietPolls + 1 : 0;
    await sleep(250);
  }
}

function streamRows(
  addresses: readonly string[],
  before: readonly RebalanceStatus[],
  after: readonly RebalanceStatus[],
  moveMs: number,
): StreamRow[] {
  const rows: StreamRow[] = addresses.map((node, index) => ({
    node,
    role: index === 3 ? 'new node' : 'existing node',
    keysMoved: after[index]!.keysMoved - before[index]!.keysMoved,
    bytesMoved: after[index]!.bytesMoved - before[index]!.bytesMoved,
    keysPerSecond: after[index]!.keysPerSecond,
    bytesPerSecond: after[index]!.bytesPerSecond,
  }));
  rows.push({
    node: 'all nodes',
    role: 'add_node to nothing pending',
    keysMoved: rows.reduce((sum, row) => sum + row.keysMoved, 0),
    bytesMoved: rows.reduce((sum, row) => sum + row.bytesMoved, 0),
    wallSeconds: moveMs / 1000,
  });
  return rows;
}

async function idealRows(
  addresses: readonly string[],
  keys: number,
  streams: StreamRow[],
): Promise<IdealRow[]> {
  const fourth = addresses[3]!;
  const shares = sharesOf(await ringOf(fourth), fourth, keys);
  const storedKeys = (await nodesOf(fourth)).nodes.find((entry) => entry.id === fourth)?.keys ?? 0;
  const idealCopies = (keys * replicationFactor) / addresses.length;
  return [
    {
      measure: 'keys streamed, all nodes',
      value: streams.at(-1)!.keysMoved,
      ideal: idealCopies,
      unit: 'records',
    },
    { measure: 'keys the new node stores', value: storedKeys, ideal: idealCopies, unit: 'records' },
    { measure: 'new node: replica share', value: shares.replica * 100, ideal: 75, unit: '% of keys' },
    { measure: 'new node: primary share', value: shares.primary * 100, ideal: 25, unit: '% of keys' },
  ];
}

/** The three latency windows around the move, and each node's rebalance status before and after it. */
async function measurePhases(client: RingClient, addresses: readonly string[], config: RebalanceBenchConfig) {
  const steady = startOpenLoop(
    {
      read: (key) => client.read(key),
      write: (key, value) => client.update(key, value),
      close: async () => {},
    },
    {
      opsPerSecond: config.opsPerSecond,
      inflightMax: 256,
      keyspace: config.keys,
      readFraction: config.readFraction,
      value: loadValue,
      seed: 11,
    },
  );
  try {
    await sleep(warmupMs);
    const latency: LatencyRow[] = [];
    let close = steady.measure();
    await sleep(config.windowMs);
    latency.push({ phase: 'before the move', window: await close() });
    const before = await Promise.all(addresses.map(rebalanceOf));
    log(`adding ${addresses[3]} with add_node under ${config.opsPerSecond} ops/s`);
    close = steady.measure();
    const startedMs = performance.now();
    await addAndWait(client, addresses, addresses[3]!, config.moveTimeoutMs);
    const moveMs = performance.now() - startedMs;
    latency.push({ phase: 'during the move', window: await close() });
    const after = await Promise.all(addresses.map(rebalanceOf));
    log(`the move finished in ${(moveMs / 1000).toFixed(1)} s; measuring a window after it`);
    close = steady.measure();
    await sleep(config.windowMs);
    latency.push({ phase: 'after the move', window: await close() });
    return { latency, before, after, moveMs };
  } finally {
    await steady.stop();
  }
}

export async function runRebalanceBench(
  config: RebalanceBenchConfig,
  directory: string,
  nodes: RingkvNode[],
): Promise<RebalanceBenchResult> {
  await startCluster(directory, nodes);
  log(`3 nodes up (${nodes.map((node) => node.address).join(', ')}); loading ${config.keys} keys`);
  const client = await RingClient.connect(
    nodes.map((node) => node.address),
    { requestTimeoutMs: clientTimeoutMs },
  );
  try {
    // The 4th node starts meanwhile (alone, idle), so its start-up is in neither latency window.
    const [load, fourth] = await Promise.all([
      loadKeys(client, config.keys, { window: loadWindow, timeoutMs: config.loadTimeoutMs }),
      startNode(directory, 'd'),
    ]);
    nodes.push(fourth);
    log(
      `loaded ${load.loaded} keys in ${(load.elapsedMs / 1000).toFixed(1)} s (${load.retried} creates re-sent), ` +
        `${load.failures} failed`,
    );
    if (load.failures > 0)
      throw new Error(`loading: ${load.failures} creates failed, e.g. ${load.failureSample}`);
    const addresses = nodes.map((node) => node.address);
    const { latency, before, after, moveMs } = await measurePhases(client, addresses, config);
    const streams = streamRows(addresses, before, after, moveMs);
    return { load, latency, streams, ideal: await idealRows(addresses, config.keys, streams), moveMs };
  } finally {
    client.close();
    await Promise.all(nodes.map((node) => stopProcess(node.process)));
  }
}
