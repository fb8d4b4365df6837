/**
 * Client-side quorum reads (replica-reads.ts) against a real 4-node cluster with replication factor 3:
 * what a node answers to `read_replica` (replica or not, live record or tombstone), that quorum reads are
 * answered by the replicas when they agree and give what the coordinator gives, that a pipelined read sees
 * the write sent before it, and that a replica that stops answering sends the read to the coordinator
 * (SIGSTOP, so the node is paused, not gone: the client still counts it live).
 */
import { HttpClient, RingClient, type RingClientOptions } from '@ringkv/client';
import { type NodeProcess, stopAllNodeProcesses } from '@ringkv/node/test-support';
import type { ReplicaReadResult } from '@ringkv/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startCluster } from './cluster.js';

const portRange: [number, number] = [22200, 22299];
let nodes: NodeProcess[];
const clients: RingClient[] = [];

async function connect(options: RingClientOptions = {}): Promise<RingClient> {
  const client = await RingClient.connect(
    nodes.map((node) => node.url),
    { requestTimeoutMs: 10_000, ...options },
  );
  clients.push(client);
  return client;
}

async function replicaRead(node: NodeProcess, key: string): Promise<ReplicaReadResult> {
  const response = await fetch(`${node.url}/read_replica/${encodeURIComponent(key)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ReplicaReadResult;
}

function byAddress(address: string): NodeProcess {
  const node = nodes.find((candidate) => candidate.address === address);
  if (!node) throw new Error(`no node ${address}`);
  return node;
}

/** Opens the client's connection to every node: a replica read needs them open (the first reads open them). */
async function warm(client: RingClient): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let round = 0; client.connectedNodes().length < nodes.length; round++) {
    if (Date.now() > deadline) throw new Error(`connected to ${client.connectedNodes().join(', ')} only`);
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => client.read(`warm:${round}:${index}`).catch(() => undefined)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One frame sent on a raw WebSocket to `node`, and the frame it answers with. */
async function rawFrame(node: NodeProcess, frame: unknown): Promise<unknown> {
  const socket = new WebSocket(node.wsUrl);
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify(frame));
    return JSON.parse(await reply);
  } finally {
    socket.close();
  }
}

beforeAll(async () => {
  nodes = await startCluster(portRange, 4);
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await stopAllNodeProcesses();
});

describe('read_replica on a node', { timeout: 60_000 }, () => {
  it('reports the write a replica holds, a tombstone as deleted, and nothing from a non-replica', async () => {
    const http = new HttpClient(nodes[0]!.url);
    // At 'all' every replica holds the write when the call returns (at quorum the third may still apply it).
    const created = await http.create('replica:one', { n: 1 }, { consistency: 'all' });
    const { replicas } = await http.getNode('replica:one');
    expect(replicas).toHaveLength(3);
    const ringChecksum = (await http.ring()).checksum;
    expect(await http.ring()).toMatchObject({ readQuorum: 2, writeQuorum: 2 });

    for (const node of nodes) {
      const answer = await replicaRead(node, 'replica:one');
      if (replicas.includes(node.address)) {
        expect(answer).toEqual({
          key: 'replica:one',
          node: node.address,
          ring: ringChecksum,
          replica: true,
          version: created.version,
          writer: expect.any(String),
          value: { n: 1 },
        });
      } else {
        expect(answer).toEqual({
          key: 'replica:one',
          node: node.address,
          ring: ringChecksum,
          replica: false,
        });
      }
    }

    await http.delete('replica:one', { consistency: 'all' });
    const primary = byAddress(replicas[0]!);
    const tombstone = await replicaRead(primary, 'replica:one');
    expect(tombstone).toMatchObject({ replica: true, deleted: true, version: expect.any(Number) });
    expect(tombstone.version).toBeGreaterThan(created.version);
    expect(tombstone).not.toHaveProperty('value');
    // A key never written: its replicas answer as replicas, with no write.
    const neverOwner = byAddress((await http.getNode('replica:never')).node);
    expect(await replicaRead(neverOwner, 'replica:never')).toEqual({
      key: 'replica:never',
      node: neverOwner.address,
      ring: ringChecksum,
      replica: true,
    });
  });

  it('answers over the WebSocket API, alone and in a batch', async () => {
    const http = new HttpClient(nodes[0]!.url);
    const created = await http.create('replica:ws', 'v', { consistency: 'all' });
    const { replicas } = await http.getNode('replica:ws');
    const holder = byAddress(replicas[0]!);
    const outsider = nodes.find((node) => !replicas.includes(node.address))!;
    expect(await rawFrame(holder, { id: 1, op: 'read_replica', key: 'replica:ws' })).toMatchObject({
      id: 1,
      ok: true,
      result: { node: holder.address, replica: true, version: created.version, value: 'v' },
    });
    // A digest names the same write without the key, node or value; a non-replica's digest is just that.
    expect(await rawFrame(holder, { id: 2, op: 'read_replica', key: 'replica:ws', digest: true })).toEqual({
      id: 2,
      ok: true,
      result: {
        ring: expect.any(String),
        replica: true,
        version: created.version,
        writer: expect.any(String),
      },
    });
    expect(await rawFrame(outsider, { id: 3, op: 'read_replica', key: 'replica:ws', digest: true })).toEqual({
      id: 3,
      ok: true,
      result: { ring: expect.any(String), replica: false },
    });
    expect(
      await rawFrame(holder, { id: 4, op: 'read_replica', key: 'replica:ws', digest: 'yes' }),
    ).toMatchObject({ id: 4, ok: false, error: { code: 'BAD_REQUEST' } });
    const batch = await rawFrame(outsider, [
      { id: 'a', op: 'read_replica', key: 'replica:ws' },
      { id: 'b', op: 'read', key: 'replica:ws' },
      { id: 'c', op: 'read_replica', key: '' },
    ]);
    expect(batch).toEqual([
      { id: 'a', ok: true, result: expect.objectContaining({ node: outsider.address, replica: false }) },
      { id: 'b', ok: true, result: { key: 'replica:ws', value: 'v', version: created.version } },
      { id: 'c', ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('key') } },
    ]);
  });
});

describe('RingClient quorum reads from the replicas', { timeout: 120_000 }, () => {
  it('answers from the replicas when they agree, exactly as the coordinator does', async () => {
    const client = await connect();
    const coordinatorOnly = await connect({ replicaReads: false });
    await warm(client);
    const keys = Array.from({ length: 200 }, (_, index) => `agree:${index}`);
    await Promise.all(keys.map((key, index) => client.create(key, { index })));
    await Promise.all(keys.slice(0, 50).map((key) => client.update(key, 'updated')));
    await Promise.all(keys.slice(50, 80).map((key) => client.delete(key)));
    const before = { ...client.counters };

    const read = (reader: RingClient, key: string) =>
      reader.read(key).then(
        (record) => ({ value: record.value, version: record.version }),
        (error: { code?: string }) => ({ error: error.code }),
      );
    const fromReplicas = await Promise.all(keys.map((key) => read(client, key)));
    const fromCoordinators = await Promise.all(keys.map((key) => read(coordinatorOnly, key)));
    expect(fromReplicas).toEqual(fromCoordinators);
    expect(fromReplicas.filter((answer) => 'error' in answer)).toHaveLength(30);
    expect(fromReplicas[10]).toMatchObject({ value: 'updated' });

    const served = client.counters.replicaReads - before.replicaReads;
    const fellBack = client.counters.replicaReadFallbacks - before.replicaReadFallbacks;
    expect(served + fellBack).toBe(keys.length);
    // A write is acknowledged once two replicas hold it; the third applies it a moment later, and a read
    // that asks it first goes to the coordinator. So nearly all, not necessarily all, agree here.
    expect(served).toBeGreaterThanOrEqual(keys.length * 0.9);
    expect(coordinatorOnly.counters.replicaReads + coordinatorOnly.counters.replicaReadFallbacks).toBe(0);
  });

  it('reads at consistency one go to the coordinator; at all they ask every replica', async () => {
    const client = await connect();
    await warm(client);
    await client.create('levels', 1);
    const before = { ...client.counters };
    await expect(client.read('levels', { consistency: 'one' })).resolves.toMatchObject({ value: 1 });
    expect(client.counters.replicaReads).toBe(before.replicaReads);
    expect(client.counters.routed).toBe(before.routed + 1);
    await expect(client.read('levels', { consistency: 'all' })).resolves.toMatchObject({ value: 1 });
    // It asked the three replicas (answered by them, or by the coordinator if the third was still applying).
    const tried = (counters: typeof before) => counters.replicaReads + counters.replicaReadFallbacks;
    expect(tried(client.counters)).toBe(tried(before) + 1);
  });

  it('a read pipelined behind a write of the same key sees that write', async () => {
    const client = await connect();
    await warm(client);
    const keys = Array.from({ length: 100 }, (_, index) => `pipelined:${index}`);
    await Promise.all(keys.map((key) => client.create(key, 0)));
    for (let round = 1; round <= 3; round++) {
      const pairs = keys.map((key) => [client.update(key, round), client.read(key)] as const);
      const reads = await Promise.all(pairs.map(([, read]) => read));
      expect(reads.every((record) => record.value === round)).toBe(true);
      await Promise.all(pairs.map(([write]) => write));
    }
  });

  it('a replica that stops answering sends the read to the coordinator, which answers', async () => {
    const client = await connect({ replicaReadTimeoutMs: 300 });
    await warm(client);
    const http = new HttpClient(nodes[0]!.url);
    const key = 'paused';
    await client.create(key, 'before');
    const { replicas } = await http.getNode(key);
    // The client asks the first two replicas; pause the second (the first coordinates the write).
    const paused = byAddress(replicas[1]!);
    process.kill(paused.pid, 'SIGSTOP');
    try {
      const before = { ...client.counters };
      await client.update(key, 'after');
      await expect(client.read(key)).resolves.toMatchObject({ value: 'after' });
      expect(client.counters.replicaReadFallbacks).toBe(before.replicaReadFallbacks + 1);
      expect(client.counters.replicaReads).toBe(before.replicaReads);
    } finally {
      process.kill(paused.pid, 'SIGCONT');
    }
  });
});
