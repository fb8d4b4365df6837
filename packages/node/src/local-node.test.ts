import { createServer, type Server } from 'node:net';
import { RingKvError } from '@ringkv/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from './core/types.js';
import { probeTcp } from './io/probe.js';
import { LocalNode } from './local-node.js';
import type { NodeEvent } from './node-api.js';
import { MemoryStore } from './store/memory-store.js';

/** A clock the test moves by hand; timers fire when the test advances past them. */
function manualClock(startMs = 1_700_000_000_000) {
  let now = startMs;
  const timers: Array<{ at: number; callback: () => void; live: boolean }> = [];
  const clock: Clock = {
    nowMs: () => now,
    setTimer(delayMs, callback) {
      const timer = { at: now + delayMs, callback, live: true };
      timers.push(timer);
      return {
        cancel: () => {
          timer.live = false;
        },
      };
    },
  };
  return {
    clock,
    set: (ms: number) => {
      now = ms;
    },
    advance(ms: number) {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.live && timer.at <= now) timer.callback();
        else if (timer.live) timers.push(timer);
      }
    },
    pendingTimers: () => timers.filter((timer) => timer.live).length,
  };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function listening(): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

function newNode(clock = manualClock().clock) {
  return new LocalNode({
    nodeId: '127.0.0.1:7001',
    store: new MemoryStore(),
    clock,
    vnodes: 8,
    replicationFactor: 3,
    sampleOps: () => ({ read: { opsPerSecond: 1, p50Ms: 0.1, p99Ms: 0.2 } }),
    probe: (address) => probeTcp(address, 500),
    statsIntervalMs: 1_000,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof RingKvError ? error.code : `not a RingKvError: ${error}`;
  }
  return 'resolved';
}

describe('LocalNode data operations', () => {
  it('create, read, update, delete with their conditions', async () => {
    const node = newNode();
    const created = await node.create('k', '{"a":1}', 'quorum');
    expect(created).toEqual({ key: 'k', valueJson: '{"a":1}', version: expect.any(Number) });
    expect(await codeOf(node.create('k', '2', 'one'))).toBe('KEY_EXISTS');
    expect(await node.read('k', 'all')).toEqual(created);
    const updated = await node.update('k', '3', 'quorum');
    expect(updated.version).toBeGreaterThan(created.version);
    expect(await node.delete('k', 'quorum')).toEqual({ key: 'k', deleted: true });
    expect(await codeOf(node.read('k', 'quorum'))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(node.update('k', '4', 'quorum'))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(node.delete('k', 'quorum'))).toBe('KEY_NOT_FOUND');
    // A tombstone does not block a new create.
    expect((await node.create('k', '5', 'quorum')).valueJson).toBe('5');
  });

  it('lets exactly one of many overlapping creates of a key win', async () => {
    const node = newNode();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => codeOf(node.create('race', String(i), 'quorum'))),
    );
    expect(outcomes.filter((code) => code === 'resolved')).toHaveLength(1);
    expect(outcomes.filter((code) => code === 'KEY_EXISTS')).toHaveLength(19);
  });

  it('gives a write a newer version even when the wall clock stepped back', async () => {
    const time = manualClock();
    const node = newNode(time.clock);
    const first = await node.create('k', '1', 'quorum');
    time.set(1_600_000_000_000);
    const second = await node.update('k', '2', 'quorum');
    expect(second.version).toBeGreaterThan(first.version);
    expect((await node.read('k', 'quorum')).valueJson).toBe('2');
  });
});

describe('LocalNode membership answers', () => {
  it('owns every key alone, with its vnodes on the ring', () => {
    const node = newNode();
    expect(node.getNode('any')).toEqual({ key: 'any', node: '127.0.0.1:7001', replicas: ['127.0.0.1:7001'] });
    const ring = node.ring();
    expect(ring).toMatchObject({ epoch: 1, vnodes: 8, replicationFactor: 3 });
    expect(ring.tokens).toHaveLength(8);
    expect(node.nodes()).toEqual({ nodes: [{ id: '127.0.0.1:7001', status: 'alive', keys: 0, bytes: 0 }] });
  });

  it('add_node: itself NODE_EXISTS, nothing listening NODE_UNREACHABLE, a live address CONFLICT', async () => {
    const node = newNode();
    expect(await codeOf(node.addNode('127.0.0.1:7001'))).toBe('NODE_EXISTS');
    const freed = await listening();
    servers.pop()!.close();
    expect(await codeOf(node.addNode(`127.0.0.1:${freed}`))).toBe('NODE_UNREACHABLE');
    expect(await codeOf(node.addNode(`127.0.0.1:${await listening()}`))).toBe('CONFLICT');
  });

  it('remove_node: itself is the last node (CONFLICT), others NODE_NOT_FOUND', async () => {
    const node = newNode();
    expect(await codeOf(node.removeNode('127.0.0.1:7001'))).toBe('CONFLICT');
    expect(await codeOf(node.removeNode('127.0.0.1:7002'))).toBe('NODE_NOT_FOUND');
  });
});

describe('LocalNode events', () => {
  it('emits stats every interval while someone listens, and stops on unsubscribe and close', async () => {
    const time = manualClock();
    const node = newNode(time.clock);
    await node.create('k', '"v"', 'quorum');
    const events: NodeEvent[] = [];
    const stop = node.onEvent((event) => events.push(event));
    time.advance(999);
    expect(events).toHaveLength(0);
    time.advance(1);
    time.advance(1_000);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      topic: 'stats',
      data: {
        nodes: [
          {
            node: '127.0.0.1:7001',
            at: expect.any(Number),
            keys: 1,
            bytes: expect.any(Number),
            ops: { read: { opsPerSecond: 1, p50Ms: 0.1, p99Ms: 0.2 } },
            forwarded: 0,
          },
        ],
      },
    });
    stop();
    expect(time.pendingTimers()).toBe(0);
    node.onEvent(() => undefined);
    await node.close();
    expect(time.pendingTimers()).toBe(0);
    expect(node.serving()).toBe(false);
  });
});
