/**
 * SPEC section 3 against a real `ringkv node` process, over a plain `ws` WebSocket: every op, replies
 * carrying the request's id, pipelining, batches, and subscriptions with pushed events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from './helpers/node-process.js';
import { openSocket, type TestSocket } from './helpers/ws-client.js';

// biome-ignore lint/suspicious/noExplicitAny: reply frames are what the assertions examine
type Frame = any;

let node: NodeProcess;
let socket: TestSocket;

beforeAll(async () => {
  node = await startNodeProcess({ args: ['--memory', '--vnodes', '8'] });
  socket = await openSocket(node.wsUrl);
});

afterAll(async () => {
  await socket?.close();
  await stopAllNodeProcesses();
});

const ask = (request: unknown): Promise<Frame> => socket.request(request);

describe('data ops', () => {
  it('create, read, update, delete with results equal to the HTTP bodies', async () => {
    const created = await ask({ id: 1, op: 'create', key: 'user:42', value: { name: 'Ada' } });
    expect(created).toEqual({
      id: 1,
      ok: true,
      result: { key: 'user:42', value: { name: 'Ada' }, version: expect.any(Number) },
    });
    const read = await ask({ id: 2, op: 'read', key: 'user:42', consistency: 'one' });
    expect(read).toEqual({ id: 2, ok: true, result: created.result });
    const updated = await ask({ id: 3, op: 'update', key: 'user:42', value: [1, 2], consistency: 'all' });
    expect(updated.result.value).toEqual([1, 2]);
    expect(updated.result.version).toBeGreaterThan(created.result.version);
    const deleted = await ask({ id: 'four', op: 'delete', key: 'user:42', consistency: 'quorum' });
    expect(deleted).toEqual({ id: 'four', ok: true, result: { key: 'user:42', deleted: true } });
  });

  it('answers KEY_EXISTS and KEY_NOT_FOUND with the request id', async () => {
    await ask({ id: 10, op: 'create', key: 'dup', value: 1 });
    expect(await ask({ id: 11, op: 'create', key: 'dup', value: 2 })).toEqual({
      id: 11,
      ok: false,
      error: { code: 'KEY_EXISTS', message: expect.stringContaining('dup') },
    });
    for (const [id, request] of [
      [12, { op: 'read', key: 'ghost' }],
      [13, { op: 'update', key: 'ghost', value: 1 }],
      [14, { op: 'delete', key: 'ghost' }],
    ] as const) {
      const reply = await ask({ id, ...request });
      expect(reply.id).toBe(id);
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe('KEY_NOT_FOUND');
    }
  });
});

describe('cluster ops', () => {
  it('get_node, nodes and ring', async () => {
    expect(await ask({ id: 20, op: 'get_node', key: 'a/b' })).toEqual({
      id: 20,
      ok: true,
      result: { key: 'a/b', node: node.address, replicas: [node.address] },
    });
    const nodes = await ask({ id: 21, op: 'nodes' });
    expect(nodes.result.nodes).toEqual([
      expect.objectContaining({ id: node.address, status: 'alive', keys: expect.any(Number) }),
    ]);
    const ring = await ask({ id: 22, op: 'ring' });
    expect(ring.result).toMatchObject({ epoch: expect.any(Number), vnodes: 8, replicationFactor: 3 });
    expect(ring.result.tokens).toHaveLength(8);
  });

  it('add_node and remove_node answer with the SPEC codes', async () => {
    const bare = await ask({ id: 30, op: 'add_node', node: 'node1' });
    expect(bare.error.code).toBe('BAD_REQUEST');
    expect(bare.error.message).toContain('HOST:PORT');
    expect((await ask({ id: 31, op: 'add_node', node: node.address })).error.code).toBe('NODE_EXISTS');
    expect((await ask({ id: 32, op: 'add_node', node: '127.0.0.1:1' })).error.code).toBe('NODE_UNREACHABLE');
    expect((await ask({ id: 33, op: 'remove_node', node: node.address })).error.code).toBe('CONFLICT');
    expect((await ask({ id: 34, op: 'remove_node', node: '127.0.0.1:2' })).error.code).toBe('NODE_NOT_FOUND');
  });
});

describe('pipelining and batches', () => {
  it('answers every pipelined request once, matched by id', async () => {
    const count = 200;
    for (let i = 0; i < count; i++) {
      socket.send({ id: `p${i}`, op: i % 2 === 0 ? 'create' : 'read', key: `pipe:${i >> 1}`, value: i });
    }
    const replies: Frame[] = [];
    for (let i = 0; i < count; i++) replies.push(await socket.next());
    expect(new Set(replies.map((reply) => reply.id))).toEqual(
      new Set(Array.from({ length: count }, (_, i) => `p${i}`)),
    );
    // Same-key requests apply in arrival order: each read follows the create of its key.
    for (const reply of replies) expect(reply.ok, JSON.stringify(reply)).toBe(true);
  });

  it('answers a batch with one array frame, in request order, bad requests in their place', async () => {
    const batch = [
      { id: 1, op: 'create', key: 'b1', value: 'one' },
      { id: 2, op: 'read', key: 'b1' },
      { id: 3, op: 'read' },
      { id: 4, op: 'frobnicate' },
      7,
      { id: 6, op: 'ring' },
    ];
    const reply: Frame = await ask(batch);
    expect(Array.isArray(reply)).toBe(true);
    expect(reply.map((entry: Frame) => entry.id)).toEqual([1, 2, 3, 4, null, 6]);
    expect(reply.map((entry: Frame) => entry.ok)).toEqual([true, true, false, false, false, true]);
    expect(reply[1].result.value).toBe('one');
    expect(reply[2].error).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('key') });
    expect(reply[3].error.message).toContain('op');
  });

  it('accepts a batch of exactly 1000 requests', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      op: 'create',
      key: `full:${i}`,
      value: i,
    }));
    const reply: Frame = await ask(batch);
    expect(reply).toHaveLength(1000);
    expect(reply.every((entry: Frame, i: number) => entry.ok && entry.id === i)).toBe(true);
  });
});

describe('subscriptions', () => {
  it('subscribe replies with the topics, pushes ring and nodes at once, stats every second', async () => {
    const events = await openSocket(node.wsUrl);
    try {
      expect(await events.request({ id: 1, op: 'subscribe', topics: ['ring', 'nodes', 'stats'] })).toEqual({
        id: 1,
        ok: true,
        result: { topics: ['ring', 'nodes', 'stats'] },
      });
      const first: Frame[] = [await events.next(), await events.next()];
      const ring = first.find((event) => event.event === 'ring');
      const nodes = first.find((event) => event.event === 'nodes');
      expect(ring.data).toMatchObject({ epoch: expect.any(Number), vnodes: 8 });
      expect(nodes.data.nodes[0].id).toBe(node.address);

      // Traffic on another connection shows up in a stats sample (each sample covers about one second).
      for (let i = 0; i < 20; i++) await ask({ id: `s${i}`, op: 'read', key: 'b1' });
      let sawReads = false;
      for (let sample = 0; sample < 4 && !sawReads; sample++) {
        const event: Frame = await events.next(5_000);
        expect(event.event).toBe('stats');
        const stats = event.data.nodes[0];
        expect(stats).toMatchObject({
          node: node.address,
          keys: expect.any(Number),
          bytes: expect.any(Number),
        });
        expect(Object.keys(stats.ops).sort()).toEqual(['create', 'delete', 'read', 'read_replica', 'update']);
        sawReads = stats.ops.read.opsPerSecond > 0;
        if (sawReads) expect(stats.ops.read.p99Ms).toBeGreaterThanOrEqual(stats.ops.read.p50Ms);
      }
      expect(sawReads).toBe(true);

      expect(await events.request({ id: 2, op: 'unsubscribe', topics: ['stats'] })).toMatchObject({
        result: { topics: ['ring', 'nodes'] },
      });
      expect(await events.request({ id: 3, op: 'unsubscribe' })).toMatchObject({ result: { topics: [] } });
    } finally {
      await events.close();
    }
  });
});
