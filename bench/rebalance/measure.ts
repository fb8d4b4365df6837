/**
 * The measurement of `bench:rebalance`: a 3-node cluster (real processes, LMDB, defaults: rf 3, quorum
 * 2) loaded with `keys` keys of 100-byte values; a steady open-loop client load measured for a window
 * before the move; a 4th node added with add_node while the same load runs (its window lasts until every
 * node has settled on the 4-node ring and has nothing left to move); then a window after the move. The
 * streaming figures come from each node's rebalance status (/nodes), differences from before the move.
 */
import path from 'node:path';
import { RingClient } from '@ringkv/client';
import { processCpuSeconds } from '../lib/cpu.js';
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
  /** How the 4th node comes in: add_node of a running node, or a node started with --join. */
  via: 'add_node' | 'join';
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

/**
 * Starts the 3 nodes, the 2nd and 3rd joining the 1st one at a time (a joiner picks its tokens against
 * the ring it sees, so two joining at once would cut the same ranges), and waits until they agree.
 */
async function startCluster(directory: string, nodes: RingkvNode[]): Promise<void> {
  nodes.push(await startNode(directory, 'a'));
  for (const name of ['b', 'c']) {
    nodes.push(await startNode(directory, name, nodes[0]!.address));
    const addresses = nodes.map((node) => node.address);
    await waitUntil(`${addresses.length} nodes on one ring`, () => settledOn(addresses), 60_000, 250);
  }
}

/** Waits until all four nodes agree on one ring and have nothing left to move. */
async function waitForMove(all: readonly string[], timeoutMs: number): Promise<void> {
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
    role: 'the move, wall clock',
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

/**
 * CPU used by the node processes (all together) and by this process (the load generator) from now until
 * the returned function is called, in % of one core: on a shared 2-core machine it says how much of the
 * machine the cluster actually got in each window.
 */
function cpuWindow(pids: () => readonly number[]) {
  const startedMs = performance.now();
  const serverBefore = new Map(pids().map((pid) => [pid, processCpuSeconds(pid)]));
  const generatorBefore = process.cpuUsage();
  return () => {
    const seconds = Math.max(performance.now() - startedMs, 1) / 1000;
    let server = 0;
    for (const pid of pids()) server += processCpuSeconds(pid) - (serverBefore.get(pid) ?? 0);
    const generator = process.cpuUsage(generatorBefore);
    return {
      serverCpuPercent: (server / seconds) * 100,
      generatorCpuPercent: ((generator.user + generator.system) / 1e6 / seconds) * 100,
    };
  };
}

const zeroStatus: RebalanceStatus = {
  rangesPending: 0,
  keysMoved: 0,
  bytesMoved: 0,
  keysPerSecond: 0,
  bytesPerSecond: 0,
};

/**
 * The three latency windows around the move, and each node's rebalance status before and after it.
 * `addFourth` adds the 4th node (add_node, or starting it with --join) and returns its address.
 */
async function measurePhases(
  client: RingClient,
  existing: readonly string[],
  config: RebalanceBenchConfig,
  addFourth: () => Promise<string>,
  pids: () => readonly number[],
) {
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
    /** Opens a latency and CPU window; the returned function closes both into a row named `phase`. */
    const open = (phase: string) => {
      const closeLoad = steady.measure();
      const closeCpu = cpuWindow(pids);
      return async () => {
        const cpu = closeCpu();
        latency.push({ phase, window: await closeLoad(), ...cpu });
      };
    };
    let close = open('before the move');
    await sleep(config.windowMs);
    await close();
    const before = [...(await Promise.all(existing.map(rebalanceOf))), zeroStatus];
    log(`adding a 4th node (${config.via}) under ${config.opsPerSecond} ops/s`);
    close = open('during the move');
    const startedMs = performance.now();
    const addresses = [...existing, await addFourth()];
    await waitForMove(addresses, config.moveTimeoutMs);
    const moveMs = performance.now() - startedMs;
    await close();
    const after = await Promise.all(addresses.map(rebalanceOf));
    log(`the move finished in ${(moveMs / 1000).toFixed(1)} s; measuring a window after it`);
    close = open('after the move');
    await sleep(config.windowMs);
    await close();
    return { latency, addresses, before, after, moveMs };
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
  const existing = nodes.map((node) => node.address);
  log(`3 nodes up (${existing.join(', ')}); loading ${config.keys} keys`);
  const client = await RingClient.connect(existing, { requestTimeoutMs: clientTimeoutMs });
  try {
    // For add_node the 4th node starts meanwhile (alone, idle), so its start-up is in no latency window.
    const [load, standalone] = await Promise.all([
      loadKeys(client, config.keys, { window: loadWindow, timeoutMs: config.loadTimeoutMs }),
      config.via === 'add_node' ? startNode(directory, 'd') : undefined,
    ]);
    if (standalone) nodes.push(standalone);
    log(
      `loaded ${load.loaded} keys in ${(load.elapsedMs / 1000).toFixed(1)} s (${load.retried} creates re-sent), ` +
        `${load.failures} failed`,
    );
    if (load.failures > 0)
      throw new Error(`loading: ${load.failures} creates failed, e.g. ${load.failureSample}`);
    const addFourth = async (): Promise<string> => {
      if (standalone) {
        await client.addNode(standalone.address);
        return standalone.address;
      }
      const joiner = await startNode(directory, 'd', existing[0]);
      nodes.push(joiner);
      return joiner.address;
    };
    const { latency, addresses, before, after, moveMs } = await measurePhases(
      client,
      existing,
      config,
      addFourth,
      () => nodes.map((node) => node.process.pid),
    );
    const streams = streamRows(addresses, before, after, moveMs);
    return { load, latency, streams, ideal: await idealRows(addresses, config.keys, streams), moveMs };
  } finally {
    client.close();
    await Promise.all(nodes.map((node) => stopProcess(node.process)));
  }
}
