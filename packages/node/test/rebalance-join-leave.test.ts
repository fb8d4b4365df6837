/**
 * Issue 4's first "Done when", on real processes: 100,000 keys loaded with RingClient into 3 `ringkv node`
 * processes (LMDB data directories, default vnodes and replication factor 3); a 4th process is added with
 * add_node while a client keeps creating, updating and reading keys at a steady few hundred operations a
 * second; then a node is removed with remove_node under the same load; then a new process joins with
 * `--join` (the other way in; its time includes the process start). After each change, once every node
 * reports no range left to move: no client operation failed; every replica of the new ring holds every
 * key's newest value (read straight from each store over the peer protocol, before any read could repair
 * it); every key reads back with its newest value at consistency quorum; a joined node is the primary of
 * about a quarter of the keys (printed); a removed node is out of every ring. Keys and bytes moved (per
 * node, from /nodes) and the time taken are printed. No assertion on speed: deadlines are safety bounds.
 */
import { RingClient } from '@ringkv/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerTransport } from '../src/io/peer-transport.js';
import { createAll, errorText, inWindows } from './helpers/bulk-calls.js';
import type { NodeProcess } from './helpers/node-process.js';
import {
  LmdbCluster,
  type MovedByNode,
  primaryShare,
  rebalanced,
  replicaMismatches,
  ringSeenBy,
  settledOn,
  until,
  watchRebalance,
} from './helpers/rebalance-cluster.js';
import { type SteadyLoadResult, startSteadyLoad } from './helpers/steady-load.js';

const portRange: [number, number] = [23000, 23999];
const secret = 'rebalance-test-secret';
const keyCount = 100_000;
/** Creates in flight at once while loading (RingClient batches each turn's calls into frames of 1000). */
const loadWindow = 4_000;
const loadRoundsMax = 4;
/** Reads in flight at once in the read-backs (by a client with a long deadline: they verify, not test). */
const readWindow = 1_000;
/** After each move, every 20th loaded key is read back through the client (and every key at the end). */
const readSampleStride = 20;
const replicationFactor = 3;

const cluster = new LmdbCluster(secret, portRange);
const keys = Array.from({ length: keyCount }, (_, i) => `key:${i}`);
/** key -> JSON text of its newest acknowledged value. */
const expected = new Map<string, string>();
/** key -> values a failed write may have left (see steady-load.ts). */
const uncertain = new Map<string, Set<string | undefined>>();
let client: RingClient;
/** Reads back for verification: a long deadline, so a starved machine does not fail the check itself. */
let verifier: RingClient;
let testPeer: PeerTransport;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
interface MoveReport {
  load: SteadyLoadResult;
  elapsedMs: number;
  moved: MovedByNode[];
}

/**
 * Runs the steady load, makes `change`, waits until `members()` have settled on one ring with nothing
 * left to move, stops the load, and reports what every node process moved meanwhile.
 */
async function moveUnderLoad(
  label: string,
  change: () => Promise<void>,
  members: () => readonly NodeProcess[],
): Promise<MoveReport> {
  const watch = await watchRebalance(() => cluster.processes);
  const load = startSteadyLoad({
    client,
    expected,
    uncertain,
    baseKeys: keys,
    prefix: label,
    durationMsMax: 150_000,
  });
  const stop = async () => ({ result: await load.stop(), moved: await watch.stop() });
  let elapsedMs: number;
  try {
    await sleep(500);
    const startedMs = Date.now();
    await change();
    const after = members();
    await until(`${label}: ${after.length} nodes settle on one ring`, () => settledOn(after), 60_000);
    await until(`${label}: every node has moved its ranges`, () => rebalanced(after), 90_000);
    elapsedMs = Date.now() - startedMs;
    await sleep(500);
  } catch (error) {
    // Nothing of this move may keep running into the next test.
    await stop();
    throw error;
  }
  const { result, moved } = await stop();
  const total = moved.reduce(
    (sum, entry) => ({ keys: sum.keys + entry.keys, bytes: sum.bytes + entry.bytes }),
    { keys: 0, bytes: 0 },
  );
  console.log(
    `${label}: ${total.keys} keys / ${total.bytes} bytes moved in ${elapsedMs} ms ` +
      `(${moved.map((entry) => `${entry.node}: ${entry.keys} keys, ${entry.bytes} bytes`).join('; ')}); ` +
      `${result.operations} client operations (${result.createdKeys.length} new keys) during the move, ` +
      `${result.failures.length} failed`,
  );
  return { load: result, elapsedMs, moved };
}

/** What a key may hold: its newest acknowledged value, or any value of a write that failed on it. */
function accepts(key: string, value: string | null | undefined): boolean {
  const got = value === null ? undefined : value;
  return got === expected.get(key) || (uncertain.get(key)?.has(got) ?? false);
}

/**
 * Replicas of the ring `via` serves that lack a key's newest value, read straight from every store (all
 * keys), retried for a bounded time while hints and anti-entropy may still be at work.
 */
async function replicaProblems(label: string, via: NodeProcess): Promise<string[]> {
  const { ring } = await ringSeenBy(via);
  const startedMs = Date.now();
  const allKeys = new Set([...expected.keys(), ...uncertain.keys()]);
  let problems: string[] = [];
  await until(
    `${label}: every replica holds every key's newest value`,
    async () => {
      problems = await replicaMismatches(testPeer, ring, replicationFactor, allKeys, accepts);
      return problems.length === 0;
    },
    30_000,
  ).catch((error: unknown) => console.log(`${label}: ${errorText(error)}`));
  console.log(
    `${label}: ${allKeys.size} keys checked on every replica's store in ${Date.now() - startedMs} ms, ` +
      `${problems.length} missing or stale`,
  );
  return problems;
}

/**
 * Keys of `list` that do not read back through RingClient at quorum with their newest value. A read that
 * times out or finds too few replicas answering (a starved machine) is asked again, up to 3 times: it is
 * no answer, not a wrong one; a wrong value or a missing key fails at once.
 */
async function readBackProblems(label: string, list: readonly string[]): Promise<string[]> {
  const startedMs = Date.now();
  let retried = 0;
  const problems = await inWindows(list, readWindow, async (key) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const got = JSON.stringify((await verifier.read(key, { consistency: 'quorum' })).value);
        return accepts(key, got) ? undefined : `${key}: got ${got}, expected ${expected.get(key)}`;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'KEY_NOT_FOUND' && accepts(key, undefined)) return undefined;
        if (attempt >= 3 || (code !== 'TIMEOUT' && code !== 'UNAVAILABLE'))
          return `${key}: ${errorText(error)}`;
        retried++;
      }
    }
  });
  console.log(
    `${label}: ${list.length} keys read back at quorum in ${Date.now() - startedMs} ms ` +
      `(${retried} reads asked again after no answer), ${problems.length} wrong`,
  );
  return problems;
}

/**
 * After a move: every replica's store (all keys), then a read-back of every key the load wrote during the
 * move and of every `readSampleStride`-th loaded key (every key is read back after the last move).
 */
async function lostKeys(label: string, via: NodeProcess, report: MoveReport) {
  const replicas = await replicaProblems(label, via);
  const sample = keys.filter((_, index) => index % readSampleStride === 0);
  const reads = await readBackProblems(label, [...new Set([...report.load.writtenKeys, ...sample])]);
  return { replicas, reads };
}

/** Every finding of one phase, reported together (soft), so a failure shows all that went wrong. */
function expectClean(report: MoveReport, lost: { replicas: string[]; reads: string[] }): void {
  expect.soft(report.load.stoppedByBound, 'the load outlived its safety bound').toBe(false);
  expect.soft(report.load.failures.slice(0, 20), 'failed client operations').toEqual([]);
  expect.soft(lost.replicas.slice(0, 20), 'replicas missing a newest value').toEqual([]);
  expect.soft(lost.reads.slice(0, 20), 'keys not read back').toEqual([]);
}

beforeAll(async () => {
  const first = await cluster.start();
  // One join at a time: a joiner picks its tokens against the ring it sees, so two at once would both
  // cut the same ranges.
  for (const size of [2, 3]) {
    await cluster.start([first.id]);
    await until(`${size} nodes settle`, () => settledOn(cluster.processes), 30_000);
  }
  testPeer = await cluster.inspector();
  // Loading is set-up, not the test: a client with a long deadline, failed creates sent again.
  const loader = await RingClient.connect(
    cluster.processes.map((node) => node.url),
    { requestTimeoutMs: 30_000 },
  );
  const startedMs = Date.now();
  const value = (key: string) => ({ key });
  const failures = await createAll(loader, keys, value, { window: loadWindow, roundsMax: loadRoundsMax });
  loader.close();
  for (const key of keys) expected.set(key, JSON.stringify(value(key)));
  console.log(
    `load: ${keyCount} keys into 3 nodes in ${Date.now() - startedMs} ms, ${failures.length} failed`,
  );
  expect(failures.slice(0, 20)).toEqual([]);
  // The client under test: RingClient's defaults (ring-aware, quorum, 5 s deadline).
  client = await RingClient.connect(cluster.processes.map((node) => node.url));
  verifier = await RingClient.connect(
    cluster.processes.map((node) => node.url),
    { requestTimeoutMs: 30_000 },
  );
}, 240_000);

afterAll(async () => {
  client?.close();
  verifier?.close();
  await testPeer?.close();
  await cluster.stopAll();
});

/** The share of all keys whose primary is `node`, printed, within a tolerant band around a quarter. */
async function expectQuarterPrimary(label: string, node: NodeProcess): Promise<void> {
  const { ring } = await ringSeenBy(node);
  const share = primaryShare(ring, expected.keys(), node.id);
  console.log(
    `${label}: the new node is the primary of ${(share * 100).toFixed(2)}% of ${expected.size} keys`,
  );
  expect(share).toBeGreaterThan(0.15);
  expect(share).toBeLessThan(0.35);
}

const movedBy = (report: MoveReport, node: NodeProcess) =>
  report.moved.find((entry) => entry.node === node.id)?.keys ?? 0;

describe('rebalancing 100,000 keys between real processes under client load', () => {
  it('adds a 4th node with add_node: no failed operation, no lost key, it owns about a quarter', async () => {
    const fourth = await cluster.start();
    const all = [...cluster.processes];
    // Whether add_node answers before or after the node is in the ring is not this test's concern.
    const report = await moveUnderLoad(
      'join',
      async () => void (await client.addNode(fourth.id)),
      () => all,
    );
    expectClean(report, await lostKeys('join', fourth, report));
    expect(movedBy(report, fourth)).toBeGreaterThan(0);
    await expectQuarterPrimary('join', fourth);
  }, 240_000);

  it('removes a node with remove_node: no failed operation, no lost key, it leaves the ring', async () => {
    const leaving = cluster.processes[1]!;
    const rest = cluster.processes.filter((node) => node !== leaving);
    const report = await moveUnderLoad(
      'remove',
      async () => {
        expect((await client.removeNode(leaving.id)).status).toBe('leaving');
      },
      () => rest,
    );
    expectClean(report, await lostKeys('remove', rest[0]!, report));
    expect(movedBy(report, leaving)).toBeGreaterThan(0);
    for (const node of rest) expect((await ringSeenBy(node)).ring.has(leaving.id)).toBe(false);
  }, 240_000);

  it('starts a node with --join: no failed operation, no lost key, it owns about a quarter', async () => {
    const members = cluster.processes.filter((node) => node !== cluster.processes[1]);
    let joiner: NodeProcess | undefined;
    const report = await moveUnderLoad(
      'join-flag',
      async () => {
        joiner = await cluster.start([members[0]!.id]);
      },
      () => [...members, joiner!],
    );
    expectClean(report, await lostKeys('join-flag', joiner!, report));
    expect(movedBy(report, joiner!)).toBeGreaterThan(0);
    await expectQuarterPrimary('join-flag', joiner!);
  }, 240_000);

  it('after the three moves, every key reads back with its newest value at quorum', async () => {
    const all = [...new Set([...expected.keys(), ...uncertain.keys()])];
    expect(await readBackProblems('final', all)).toEqual([]);
  }, 120_000);
});
