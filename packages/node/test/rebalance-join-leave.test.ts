/**
 * Issue 4's first "Done when", on real processes at a smaller size: 10,000 keys (not 100,000: the machine
 * has 2 shared cores) in 3 `ringkv node` processes with LMDB data directories; a 4th process is added with
 * add_node while a client keeps updating and reading keys at a steady rate through the first node; then a
 * node is removed with remove_node under the same load. After each change: no failed client operation,
 * every key held (with its newest value) by every replica of the new ring, read over the peer protocol
 * straight from each replica's store; after the join the new node is the primary of about a quarter of
 * the keys. Keys and bytes moved and the time taken are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PeerLogger, PeerTransport } from '../src/io/peer-transport.js';
import { type NodeProcess, pickFreePort, startNodeProcess } from './helpers/node-process.js';
import { openSocket, type TestSocket } from './helpers/ws-client.js';

const portRange: [number, number] = [23000, 23999];
const secret = 'rebalance-test-secret';
const keyCount = 10_000;
const batchSize = 500;
const quiet: PeerLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Reply {
  id: number;
  ok: boolean;
  result?: { key?: string; value?: unknown; node?: string; replicas?: string[] };
  error?: { code: string; message: string };
}
interface NodeEntry {
  id: string;
  status: string;
  rebalance?: { rangesPending: number; keysMoved: number; bytesMoved: number };
}

const dataDirs: string[] = [];
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];
let testPeer: PeerTransport;
const keys = Array.from({ length: keyCount }, (_, i) => `key:${i}`);
const expected = new Map<string, string>(keys.map((key, i) => [key, JSON.stringify({ n: i })]));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function startMember(index: number, seeds: string[]): Promise<NodeProcess> {
  dataDirs[index] = mkdtempSync(join(tmpdir(), `ringkv-rebalance-${index}-`));
  const args = ['--vnodes', '16', '--cluster-secret', secret, '--log-level', 'warn'];
  if (seeds.length > 0) args.push('--join', seeds.join(','));
  const node = await startNodeProcess({
    port: await pickFreePort(portRange),
    dataDir: dataDirs[index]!,
    args,
  });
  nodes[index] = node;
  return node;
}

async function socketTo(node: NodeProcess): Promise<TestSocket> {
  const socket = await openSocket(node.wsUrl);
  sockets.push(socket);
  return socket;
}

async function batches(socket: TestSocket, requests: Array<Record<string, unknown>>): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let start = 0; start < requests.length; start += batchSize) {
    const frame = requests.slice(start, start + batchSize);
    replies.push(...((await socket.request(frame, 30_000)) as Reply[]));
  }
  return replies;
}

const failures = (replies: Reply[]) =>
  replies.filter((reply) => !reply.ok).map((reply) => `${reply.error?.code} ${reply.error?.message}`);

async function nodesSeenBy(node: NodeProcess): Promise<NodeEntry[]> {
  const response = await fetch(`${node.url}/nodes`);
  return ((await response.json()) as { nodes: NodeEntry[] }).nodes;
}

async function settled(members: NodeProcess[]): Promise<boolean> {
  const views = await Promise.all(members.map((node) => nodesSeenBy(node).catch(() => [])));
  const rings = await Promise.all(
    members.map(
      async (node) => ((await (await fetch(`${node.url}/ring`)).json()) as { checksum: string }).checksum,
    ),
  );
  return (
    views.every((view) => view.length === members.length && view.every((m) => m.status === 'alive')) &&
    new Set(rings).size === 1
  );
}

/**
 * A steady client: every 100 ms one batch of 20 updates and 20 quorum reads through `node`, over keys in
 * turn. Updates carry a counter, so `expected` always holds the newest acknowledged value.
 */
function steadyLoad(socket: TestSocket) {
  const failed: string[] = [];
  let operations = 0;
  let running = true;
  let cursor = 0;
  let counter = 0;
  const done = (async () => {
    while (running) {
      const frame: Array<Record<string, unknown>> = [];
      const written: Array<[string, string]> = [];
      for (let i = 0; i < 20; i++) {
        const key = keys[(cursor++ * 7919) % keyCount]!;
        const value = { n: key, update: ++counter };
        written.push([key, JSON.stringify(value)]);
        frame.push({ id: 2 * i, op: 'update', key, value, consistency: 'quorum' });
        frame.push({
          id: 2 * i + 1,
          op: 'read',
          key: keys[(cursor * 31) % keyCount]!,
          consistency: 'quorum',
        });
      }
      const replies = (await socket.request(frame, 30_000)) as Reply[];
      operations += replies.length;
      failed.push(...failures(replies));
      replies.forEach((reply) => {
        if (reply.ok && reply.id % 2 === 0) expected.set(...written[reply.id / 2]!);
      });
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { operations, failed };
    },
  };
}

/** Keys some replica (per get_node on `via`) lacks or holds with a stale value. */
async function missingReplicas(via: NodeProcess): Promise<string[]> {
  const socket = await socketTo(via);
  const placement = await batches(
    socket,
    keys.map((key, i) => ({ id: i, op: 'get_node', key })),
  );
  const missing: string[] = [];
  for (let start = 0; start < keys.length; start += 1_000) {
    const checks = keys.slice(start, start + 1_000).flatMap((key, i) =>
      (placement[start + i]!.result?.replicas ?? []).map(async (replica) => {
        const reply = await testPeer.request(replica, { type: 'replica-read', key }, 10_000);
        if (reply.record?.valueJson !== expected.get(key)) missing.push(`${key}@${replica}`);
      }),
    );
    await Promise.all(checks);
  }
  return missing;
}

async function rebalanceOf(node: NodeProcess) {
  const self = (await nodesSeenBy(node)).find((entry) => entry.id === node.address);
  return self?.rebalance;
}

beforeAll(async () => {
  const first = await startMember(0, []);
  await Promise.all([startMember(1, [first.address]), startMember(2, [first.address])]);
  await until('three nodes settle', () => settled(nodes), 30_000);
  testPeer = new PeerTransport({
    self: `127.0.0.1:${await pickFreePort(portRange)}`,
    cluster: 'ringkv',
    secret,
    logger: quiet,
  });
  const created = await batches(
    await socketTo(first),
    keys.map((key, i) => ({ id: i, op: 'create', key, value: { n: i } })),
  );
  expect(failures(created)).toEqual([]);
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) await socket.close().catch(() => undefined);
  await testPeer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('rebalancing real processes under client load', () => {
  it('adds a 4th node: no failed operation, no lost key, the new node owns about a quarter', async () => {
    const fourth = await startMember(3, []);
    const load = steadyLoad(await socketTo(nodes[0]!));
    await sleep(500);
    const startedMs = Date.now();
    const added = await fetch(`${nodes[0]!.url}/add_node/${encodeURIComponent(fourth.address)}`, {
      method: 'POST',
    });
    expect(added.status).toBe(200);
    await until('four nodes settle', () => settled(nodes), 60_000);
    await until(
      'the new node has streamed its ranges',
      async () => {
        const status = await rebalanceOf(fourth);
        return status !== undefined && status.keysMoved > 0 && status.rangesPending === 0;
      },
      60_000,
    );
    const elapsedMs = Date.now() - startedMs;
    await sleep(1_000);
    const { operations, failed } = await load.stop();
    const status = await rebalanceOf(fourth);
    console.log(
      `join: ${status?.keysMoved} keys / ${status?.bytesMoved} bytes streamed to the 4th node in ${elapsedMs} ms; ` +
        `${operations} client operations during the move, ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    // The same progress is exported to Prometheus on the new node.
    const metrics = await (await fetch(`${fourth.url}/metrics`)).text();
    const moved = Number(/^ringkv_rebalance_keys_moved (\d+)$/m.exec(metrics)?.[1]);
    expect(moved).toBe(status?.keysMoved);
    await until(
      'every replica holds every key',
      async () => (await missingReplicas(nodes[0]!)).length === 0,
      60_000,
    );
    const placement = await batches(
      await socketTo(fourth),
      keys.map((key, i) => ({ id: i, op: 'get_node', key })),
    );
    const owned = placement.filter((reply) => reply.result?.node === fourth.address).length / keyCount;
    console.log(`join: the 4th node is primary for ${(owned * 100).toFixed(1)}% of the keys`);
    // 16 vnodes of id-derived tokens (the test's ports vary per run) spread the share widely around 25%.
    expect(owned).toBeGreaterThan(0.12);
    expect(owned).toBeLessThan(0.4);
  }, 240_000);

  it('removes a node: no failed operation, no lost key', async () => {
    const leaving = nodes[1]!;
    const rest = [nodes[0]!, nodes[2]!, nodes[3]!];
    const load = steadyLoad(await socketTo(nodes[0]!));
    await sleep(500);
    const startedMs = Date.now();
    const removed = await fetch(`${nodes[0]!.url}/remove_node/${encodeURIComponent(leaving.address)}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(202);
    await until(
      'the node has left every view',
      async () =>
        (await Promise.all(rest.map(nodesSeenBy))).every((view) =>
          view.every((m) => m.id !== leaving.address),
        ),
      90_000,
    );
    const elapsedMs = Date.now() - startedMs;
    const status = await rebalanceOf(leaving).catch(() => undefined);
    await sleep(1_000);
    const { operations, failed } = await load.stop();
    console.log(
      `remove: ${status?.keysMoved} keys / ${status?.bytesMoved} bytes pushed out by the leaving node; left in ${elapsedMs} ms; ` +
        `${operations} client operations during the move, ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    await until(
      'every replica holds every key',
      async () => (await missingReplicas(nodes[0]!)).length === 0,
      60_000,
    );
  }, 240_000);
});
