/**
 * RingClient and HttpClient against a real 3-node cluster (`ringkv node` processes): every method, ring-
 * aware routing (a keyed request goes straight to its coordinator, so no node forwards it), and failover
 * when the node the client is connected to is killed with SIGKILL.
 */
import { HttpClient, RingClient, RingKvError } from '@ringkv/client';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from '@ringkv/node/test-support';
import type { DashboardEvent } from '@ringkv/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedAfter, startCluster } from './cluster.js';

const portRange: [number, number] = [22400, 22499];
let nodes: NodeProcess[];
const clients: RingClient[] = [];

async function connect(
  urls: string[],
  options: Parameters<typeof RingClient.connect>[1] = {},
): Promise<RingClient> {
  const client = await RingClient.connect(urls, { requestTimeoutMs: 10_000, ...options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  nodes = await startCluster(portRange);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await stopAllNodeProcesses();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('RingClient against a 3-node cluster', { timeout: 240_000 }, () => {
  it('create, read, update, delete return typed records and fail with SPEC codes', async () => {
    const client = await connect(nodes.map((node) => node.url));
    const created = await client.create('user:42', { name: 'Ada' });
    expect(created).toEqual({ key: 'user:42', value: { name: 'Ada' }, version: expect.any(Number) });
    await expect(client.read('user:42')).resolves.toEqual(created);
    const updated = await client.update('user:42', { name: 'Ada', born: 1815 }, { consistency: 'all' });
    expect(updated.version).toBeGreaterThan(created.version);
    await expect(client.read('user:42', { consistency: 'one' })).resolves.toMatchObject({
      value: { born: 1815 },
    });
    await expect(client.delete('user:42')).resolves.toEqual({ key: 'user:42', deleted: true });

    const missing = await client.read('user:42').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(RingKvError);
    expect(missing).toMatchObject({ code: 'KEY_NOT_FOUND', message: 'key "user:42" does not exist' });
    await client.create('taken', 1);
    await expect(client.create('taken', 2)).rejects.toMatchObject({ code: 'KEY_EXISTS' });
    await expect(client.update('nothing-here', 2)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('pipelines and batches many requests over one connection per node', async () => {
    const client = await connect([nodes[0]!.url], { requestsInflightMax: 64 });
    const keys = Array.from({ length: 600 }, (_, index) => `bulk:${index}`);
    const created = await Promise.all(keys.map((key, index) => client.create(key, index)));
    expect(created.map((record) => record.value)).toEqual(keys.map((_, index) => index));
    const read = await Promise.all(keys.map((key) => client.read(key)));
    expect(read.map((record) => record.key)).toEqual(keys);
    // Ring-aware: the client opened a connection to every node lazily, from one seed URL.
    expect(client.connectedNodes().sort()).toEqual(nodes.map((node) => node.address).sort());
  });

  it('getNode, nodes, ring and subscribe describe the cluster', async () => {
    const client = await connect([nodes[1]!.url]);
    const owner = await client.getNode('user:42');
    expect(owner.replicas).toHaveLength(3);
    expect(owner.replicas[0]).toBe(owner.node);
    const listed = await client.nodes();
    expect(listed.nodes.map((node) => [node.id, node.status]).sort()).toEqual(
      nodes.map((node) => [node.address, 'alive']).sort(),
    );
    const ring = await client.ring();
    expect(ring).toMatchObject({ vnodes: 16, replicationFactor: 3 });
    expect(ring.tokens).toHaveLength(48);

    const events: DashboardEvent[] = [];
    const unsubscribe = await client.subscribe(['stats'], (event) => events.push(event));
    for (let waited = 0; waited < 100 && events.length === 0; waited++) await sleep(100);
    expect(events[0]).toMatchObject({ event: 'stats', data: { nodes: expect.any(Array) } });
    await unsubscribe();
  });

  it('HttpClient offers the same operations over HTTP', async () => {
    const http = new HttpClient(nodes.map((node) => node.url));
    await expect(http.create('http:1', [1])).resolves.toMatchObject({ key: 'http:1', value: [1] });
    await expect(http.read('http:1')).resolves.toMatchObject({ value: [1] });
    await expect(http.update('http:1', 'two')).resolves.toMatchObject({ value: 'two' });
    await expect(http.delete('http:1')).resolves.toEqual({ key: 'http:1', deleted: true });
    await expect(http.read('http:1')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(http.getNode('http:1')).resolves.toMatchObject({
      key: 'http:1',
      replicas: expect.any(Array),
    });
    await expect(http.nodes()).resolves.toMatchObject({ nodes: expect.any(Array) });
    await expect(http.ring()).resolves.toMatchObject({ vnodes: 16 });
    await expect(http.health()).resolves.toMatchObject({ status: 'ok' });
    await expect(http.addNode('127.0.0.1:1')).rejects.toMatchObject({ code: 'NODE_UNREACHABLE' });
    await expect(http.removeNode('127.0.0.1:1')).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
  });
});

describe('ring-aware routing', { timeout: 240_000 }, () => {
  it('computes the same owner as every node answers to get_node', async () => {
    const client = await connect([nodes[2]!.url]);
    const http = nodes.map((node) => new HttpClient(node.url));
    for (let index = 0; index < 120; index++) {
      const key = `route:${index}:${'é'.repeat(index % 4)}`;
      const answer = await http[index % 3]!.getNode(key);
      expect(client.route(key), key).toBe(answer.node);
    }
  });

  it('sends each keyed request to its coordinator: no node forwards any of them', async () => {
    const observer = await connect([nodes[0]!.url]);
    await sleep(50);
    const before = await forwardedAfter(observer, Date.now());
    const client = await connect([nodes[0]!.url]);
    const keys = Array.from({ length: 90 }, (_, index) => `direct:${index}`);
    await Promise.all(keys.map((key) => client.create(key, key)));
    await Promise.all(keys.map((key) => client.read(key)));
    await Promise.all(keys.map((key) => client.update(key, 1)));
    await Promise.all(keys.map((key) => client.delete(key)));
    // Quorum reads ask the replicas themselves (replica-reads.ts); one whose replicas did not agree yet
    // (the third write of a create may still be on its way) goes to the coordinator after all.
    const { routed, replicaReads, replicaReadFallbacks } = client.counters;
    expect(replicaReads + replicaReadFallbacks).toBe(keys.length);
    expect(replicaReads).toBeGreaterThan(0);
    expect(routed).toBe(keys.length * 3 + replicaReadFallbacks);
    expect(client.counters.fallbacks).toBe(0);
    const after = await forwardedAfter(observer, Date.now());
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));

    // The counter does move when requests go to the wrong node: a client that is not ring-aware sends
    // everything to one node, which forwards the keys it does not coordinate.
    const blind = await connect([nodes[0]!.url], { ringAware: false });
    const foreign = keys.filter((key) => client.route(key) !== nodes[0]!.address);
    expect(foreign.length).toBeGreaterThan(20);
    await Promise.all(foreign.map((key) => blind.create(key, 2)));
    const moved = await forwardedAfter(observer, Date.now());
    expect(moved.get(nodes[0]!.address)! - before.get(nodes[0]!.address)!).toBe(foreign.length);
  });
});

describe('failover', { timeout: 240_000 }, () => {
  it('keeps serving through the other nodes when the connected node is SIGKILLed', async () => {
    const client = await connect(
      nodes.map((node) => node.url),
      { reconnectDelayMsMin: 50, reconnectDelayMsMax: 500 },
    );
    const victim = nodes.find((node) => node.address === client.home)!;
    expect(victim).toBe(nodes[0]);
    const keys = Array.from({ length: 60 }, (_, index) => `failover:${index}`);
    await Promise.all(keys.map((key) => client.create(key, { key }, { consistency: 'all' })));
    const events: DashboardEvent[] = [];
    await client.subscribe(['stats'], (event) => events.push(event));

    await victim.kill('SIGKILL');
    // Calls made at the moment of the crash settle (with a record or a SPEC code), never hang.
    const racing = await Promise.allSettled(keys.map((key) => client.read(key)));
    for (const outcome of racing) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(RingKvError);
    }
    // Until the survivors notice the crash they may still forward to it; then everything succeeds.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const results = await Promise.allSettled(keys.map((key) => client.read(key)));
      if (results.every((result) => result.status === 'fulfilled')) break;
      if (Date.now() > deadline)
        throw new Error(
          `reads still failing: ${JSON.stringify(results.find((r) => r.status === 'rejected'))}`,
        );
      await sleep(500);
    }
    expect(client.home).not.toBe(victim.address);
    await expect(client.create('failover:new', 'after')).resolves.toMatchObject({ value: 'after' });
    await expect(client.read(keys[0]!)).resolves.toMatchObject({ value: { key: keys[0] } });
    // The subscription moved with the client: events keep coming from a live node.
    const seen = events.length;
    for (let waited = 0; waited < 100 && events.length === seen; waited++) await sleep(100);
    expect(events.length).toBeGreaterThan(seen);
  });
});

// Last: it changes the membership (the decommissioned node may stay `leaving` for a while).
describe('membership changes', { timeout: 240_000 }, () => {
  it('addNode admits a running node and removeNode decommissions it', async () => {
    const client = await connect([nodes[1]!.url]);
    const extra = await startNodeProcess({ portRange, args: ['--memory', '--vnodes', '16'] });
    const added = await client.addNode(extra.address);
    expect(added.node).toBe(extra.address);
    expect(added.nodes).toContain(extra.address);
    await expect(client.addNode(extra.address)).rejects.toMatchObject({ code: 'NODE_EXISTS' });
    // The client follows the ring through its subscription: without being asked, it starts routing some
    // keys to the new node, to the coordinator the nodes would pick (the first live node of the key's
    // replicas; the node killed in the failover test is still in the ring, as `dead`).
    const http = new HttpClient(nodes[1]!.url);
    const keys = Array.from({ length: 40 }, (_, index) => `moved:${index}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const down = new Set(
        (await http.nodes()).nodes
          .filter((node) => node.status === 'dead' || node.status === 'suspect')
          .map((node) => node.id),
      );
      const answers = await Promise.all(keys.map((key) => http.getNode(key)));
      const coordinators = answers.map((answer) => answer.replicas.find((replica) => !down.has(replica)));
      const agreed = keys.every((key, index) => client.route(key) === coordinators[index]);
      if (agreed && coordinators.includes(extra.address)) break;
      if (Date.now() > deadline) {
        const routes = keys.map((key) => client.route(key));
        throw new Error(`routing did not follow the ring: ${JSON.stringify({ coordinators, routes })}`);
      }
      await sleep(250);
    }
    await expect(client.removeNode(extra.address)).resolves.toEqual({
      node: extra.address,
      status: 'leaving',
    });
    await expect(client.removeNode('127.0.0.1:1')).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    const listed = await client.nodes();
    expect(listed.nodes.find((node) => node.id === extra.address)?.status ?? 'gone').toMatch(/leaving|gone/);
    await extra.stop();
  });
});
