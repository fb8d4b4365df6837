/**
 * Issue 3's "Done when", on real processes: three `ringkv node --join ...` processes with LMDB data
 * directories; 10,000 keys written through one node in batches over a plain WebSocket, all read back
 * through each of the others; get_node agrees on all three; one node SIGKILLed while quorum reads and
 * writes keep succeeding; restarted, and then every key found on every replica once hints are delivered.
 * Each replica's own store is read directly over the peer protocol (a `replica-read` per key, sent by a
 * test peer that knows the cluster secret), so the check does not go through any coordinator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PeerLogger, PeerTransport } from '../src/io/peer-transport.js';
import { type NodeProcess, pickFreePort, startNodeProcess } from './helpers/node-process.js';
import { openSocket, type TestSocket } from './helpers/ws-client.js';

const portRange: [number, number] = [21000, 21999];
const secret = 'cluster-test-secret';
const keyCount = 10_000;
const batchSize = 500;
const quiet: PeerLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Reply {
  id: number;
  ok: boolean;
  result?: { key?: string; value?: unknown; node?: string; replicas?: string[] };
  error?: { code: string; message: string };
}

const dataDirs: string[] = [];
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];
let testPeer: PeerTransport;

function keyOf(i: number): string {
  return `key:${i}`;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 200 ms; fails with `what` after `timeoutMs`. */
async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

async function startMember(index: number, port: number, join: string[]): Promise<NodeProcess> {
  const args = ['--vnodes', '16', '--cluster-secret', secret, '--log-level', 'warn'];
  if (join.length > 0) args.push('--join', join.join(','));
  const node = await startNodeProcess({ port, dataDir: dataDirs[index]!, args });
  nodes[index] = node;
  return node;
}

async function socketTo(node: NodeProcess): Promise<TestSocket> {
  const socket = await openSocket(node.wsUrl);
  sockets.push(socket);
  return socket;
}

/** Sends `requests` in batch frames of up to 1000 and returns the replies in order. */
async function batches(socket: TestSocket, requests: Array<Record<string, unknown>>): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let start = 0; start < requests.length; start += batchSize) {
    const frame = requests.slice(start, start + batchSize);
    const reply = (await socket.request(frame, 30_000)) as Reply[];
    expect(reply).toHaveLength(frame.length);
    replies.push(...reply);
  }
  return replies;
}

function failures(replies: Reply[]): string[] {
  return replies
    .filter((reply) => !reply.ok)
    .map((reply) => `${reply.id}: ${reply.error?.code} ${reply.error?.message}`);
}

async function nodesSeenBy(node: NodeProcess): Promise<Array<{ id: string; status: string }>> {
  const response = await fetch(`${node.url}/nodes`);
  return ((await response.json()) as { nodes: Array<{ id: string; status: string }> }).nodes;
}

async function ringChecksum(node: NodeProcess): Promise<string | undefined> {
  const response = await fetch(`${node.url}/ring`);
  return ((await response.json()) as { checksum?: string }).checksum;
}

/** Every node lists every member alive and reports the same ring checksum. */
async function clusterSettled(members: NodeProcess[]): Promise<boolean> {
  const views = await Promise.all(members.map((node) => nodesSeenBy(node).catch(() => [])));
  const allAlive = views.every(
    (view) => view.length === members.length && view.every((member) => member.status === 'alive'),
  );
  const checksums = new Set(await Promise.all(members.map((node) => ringChecksum(node).catch(() => 'x'))));
  return allAlive && checksums.size === 1;
}

/** Keys (of `keys`) whose record in `node`'s own store is missing or does not hold `expected(key)`. */
async function missingOnReplica(node: NodeProcess, keys: string[], expected: (key: string) => string) {
  const missing: string[] = [];
  const chunk = 2_000;
  for (let start = 0; start < keys.length; start += chunk) {
    const part = keys.slice(start, start + chunk);
    const replies = await Promise.all(
      part.map((key) => testPeer.request(node.address, { type: 'replica-read', key }, 10_000)),
    );
    replies.forEach((reply, i) => {
      if (reply.record?.valueJson !== expected(part[i]!)) missing.push(part[i]!);
    });
  }
  return missing;
}

/** One unlabelled sample of `name` from the node's Prometheus text. */
async function metricValue(node: NodeProcess, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not in ${node.address}'s /metrics`);
  return Number(line.slice(name.length + 1));
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) dataDirs.push(mkdtempSync(join(tmpdir(), `ringkv-cluster-${i}-`)));
  const first = await startMember(0, await pickFreePort(portRange), []);
  await Promise.all([
    startMember(1, await pickFreePort(portRange), [first.address]),
    startMember(2, await pickFreePort(portRange), [first.address]),
  ]);
  await until('cluster of three settles', () => clusterSettled(nodes), 30_000);
  testPeer = new PeerTransport({
    self: `127.0.0.1:${await pickFreePort(portRange)}`,
    cluster: 'ringkv',
    secret,
    logger: quiet,
  });
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) await socket.close().catch(() => undefined);
  await testPeer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('a cluster of three real processes', () => {
  const allKeys = Array.from({ length: keyCount }, (_, i) => keyOf(i));
  const expectedValue = new Map<string, string>(allKeys.map((key, i) => [key, JSON.stringify({ n: i })]));

  it('takes 10,000 keys through one node and serves every one through each of the others', async () => {
    const writer = await socketTo(nodes[0]!);
    const created = await batches(
      writer,
      allKeys.map((key, i) => ({ id: i, op: 'create', key, value: { n: i } })),
    );
    expect(failures(created)).toEqual([]);
    // Both other nodes serve the reads at once (each through its own socket).
    const reads = await Promise.all(
      [nodes[1]!, nodes[2]!].map(async (reader) =>
        batches(
          await socketTo(reader),
          allKeys.map((key, i) => ({ id: i, op: 'read', key })),
        ),
      ),
    );
    for (const read of reads) {
      expect(failures(read)).toEqual([]);
      expect(
        read.every((reply, i) => JSON.stringify(reply.result?.value) === expectedValue.get(keyOf(i))),
      ).toBe(true);
    }
    // The quorum reads of a 500-request frame left in per-peer batches of many keys, not one request each.
    for (const reader of [nodes[1]!, nodes[2]!]) {
      const batchesSent = await metricValue(reader, 'ringkv_replica_read_batches');
      const keysSent = await metricValue(reader, 'ringkv_replica_read_keys');
      expect(batchesSent).toBeGreaterThan(0);
      expect(keysSent / batchesSent).toBeGreaterThan(10);
    }
    // Every create was decided and written in one round (its coordinator a replica, all replicas up).
    const singleRound = await Promise.all(
      nodes.map((node) => metricValue(node, 'ringkv_single_round_writes')),
    );
    expect(singleRound.reduce((sum, count) => sum + count, 0)).toBe(keyCount);
    // ... and reached the two other replicas of its key: each node counts the keys it served.
    const writeKeysServed = await Promise.all(
      nodes.map((node) => metricValue(node, 'ringkv_replica_write_keys_served')),
    );
    expect(writeKeysServed.reduce((sum, count) => sum + count, 0)).toBe(2 * keyCount);
  }, 180_000);

  it('answers get_node the same on every node', async () => {
    const sample = allKeys.filter((_, i) => i % 50 === 0);
    const answers = await Promise.all(
      nodes.map(async (node) => {
        const socket = await socketTo(node);
        return batches(
          socket,
          sample.map((key, i) => ({ id: i, op: 'get_node', key })),
        );
      }),
    );
    expect(answers[1]!.map((reply) => reply.result)).toEqual(answers[0]!.map((reply) => reply.result));
    expect(answers[2]!.map((reply) => reply.result)).toEqual(answers[0]!.map((reply) => reply.result));
    expect(new Set(answers[0]!.map((reply) => reply.result?.replicas?.length))).toEqual(new Set([3]));
  });

  it('keeps quorum reads and writes succeeding with one node SIGKILLed, and restores it through hints', async () => {
    const victim = nodes[2]!;
    await victim.kill('SIGKILL');
    // Both survivors see the crash (their peer connection dropped, then SWIM's verdict).
    await until(
      'survivors notice the crash',
      async () =>
        (await Promise.all([nodes[0]!, nodes[1]!].map(nodesSeenBy))).every((view) =>
          view.some((member) => member.id === victim.address && member.status !== 'alive'),
        ),
      20_000,
    );
    const changed = allKeys.filter((_, i) => i % 10 === 0);
    for (const key of changed) expectedValue.set(key, JSON.stringify({ changed: key }));
    const fresh = Array.from({ length: 500 }, (_, i) => `fresh:${i}`);
    for (const key of fresh) expectedValue.set(key, JSON.stringify({ fresh: key }));
    const writer = await socketTo(nodes[0]!);
    const updates = await batches(writer, [
      ...changed.map((key, i) => ({
        id: i,
        op: 'update',
        key,
        value: { changed: key },
        consistency: 'quorum',
      })),
      ...fresh.map((key, i) => ({
        id: 10_000 + i,
        op: 'create',
        key,
        value: { fresh: key },
        consistency: 'quorum',
      })),
    ]);
    expect(failures(updates)).toEqual([]);
    const reader = await socketTo(nodes[1]!);
    const reads = await batches(
      reader,
      [...changed, ...fresh].map((key, i) => ({ id: i, op: 'read', key, consistency: 'quorum' })),
    );
    expect(failures(reads)).toEqual([]);
    expect(
      reads.every(
        (reply, i) => JSON.stringify(reply.result?.value) === expectedValue.get([...changed, ...fresh][i]!),
      ),
    ).toBe(true);

    await startMember(2, victim.port, [nodes[0]!.address, nodes[1]!.address]);
    await until('cluster settles after the restart', () => clusterSettled(nodes), 30_000);
    const everyKey = [...allKeys, ...fresh];
    const expected = (key: string) => expectedValue.get(key)!;
    await until(
      'hints delivered to the restarted node',
      async () => (await missingOnReplica(nodes[2]!, everyKey, expected)).length === 0,
      60_000,
    );
    for (const node of nodes) expect(await missingOnReplica(node, everyKey, expected)).toEqual([]);
  }, 180_000);

  it.each([
    ['another cluster secret', ['--cluster-secret', 'another-secret']],
    [
      'another cluster name, even with the same secret',
      ['--cluster-secret', secret, '--cluster-name', 'other'],
    ],
  ])(
    'refuses a node that has %s',
    async (_what, flags) => {
      const stranger = await startNodeProcess({
        portRange,
        args: ['--vnodes', '16', ...flags, '--log-level', 'warn'],
      });
      try {
        const response = await fetch(`${nodes[0]!.url}/add_node/${encodeURIComponent(stranger.address)}`, {
          method: 'POST',
        });
        expect(response.status).toBe(502);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NODE_UNREACHABLE');
        expect((await nodesSeenBy(nodes[0]!)).map((member) => member.id)).not.toContain(stranger.address);
      } finally {
        await stranger.stop();
      }
    },
    90_000,
  );
});
