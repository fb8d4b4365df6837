import { Writable } from 'node:stream';
import { RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { notImmediate } from '../core/replica.js';
import type { StoredRecord } from '../core/types.js';
import { LocalNode } from '../local-node.js';
import { MemoryStore } from '../store/memory-store.js';
import { Dispatcher, type ImmediateReads, notAnswered } from './dispatch.js';
import { createLogger } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { probeTcp } from './probe.js';
import { BatchReplyText } from './replies.js';
import { systemClock } from './system-clock.js';

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const store = new MemoryStore();
  const node = new LocalNode({
    nodeId: '127.0.0.1:7001',
    store,
    clock: systemClock,
    vnodes: 4,
    replicationFactor: 3,
    sampleOps: () => ({}),
    probe: (address) => probeTcp(address, 100),
    statsIntervalMs: 1_000,
  });
  const metrics = new NodeMetrics({ storeCounts: () => store.counts() });
  const dispatcher = new Dispatcher(node, metrics, createLogger('127.0.0.1:7001', 'info', sink));
  return { dispatcher, store, metrics, lines };
}

describe('Dispatcher', () => {
  it('answers with the result JSON text, the value spliced in as it was stored', async () => {
    const { dispatcher } = setup();
    const text = await dispatcher.run(
      { id: 1, op: 'create', key: 'k', value: undefined },
      '{"a": [1, 2]}',
      'ws',
      'r1',
    );
    expect(text).toMatch(/^\{"key":"k","value":\{"a": \[1, 2\]\},"version":\d+\}$/);
    expect(
      JSON.parse(await dispatcher.run({ id: 2, op: 'get_node', key: 'k' }, undefined, 'http', 'r2')),
    ).toEqual({
      key: 'k',
      node: '127.0.0.1:7001',
      replicas: ['127.0.0.1:7001'],
    });
  });

  it('passes RingKvErrors through and counts them by code', async () => {
    const { dispatcher, metrics } = setup();
    const failure = dispatcher.run({ id: 1, op: 'read', key: 'missing' }, undefined, 'http', 'r1');
    await expect(failure).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(await metrics.text().then((m) => m.body)).toContain(
      'ringkv_requests_total{op="read",transport="http",code="KEY_NOT_FOUND"} 1',
    );
  });

  it('turns a bug into INTERNAL naming the request id, and logs it with the cause', async () => {
    const { dispatcher, store, lines } = setup();
    await store.close(); // writing to a closed store breaks an assertion: a bug, not a condition
    const failure = await dispatcher
      .run({ id: 1, op: 'create', key: 'k', value: undefined }, '1', 'ws', 'ws-3-7')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RingKvError);
    expect((failure as RingKvError).code).toBe('INTERNAL');
    expect((failure as RingKvError).message).toContain('ws-3-7');
    const logged = lines.find((line) => line.requestId === 'ws-3-7');
    expect(logged).toMatchObject({ level: 50, op: 'create', node: '127.0.0.1:7001' });
    expect(JSON.stringify(logged?.err)).toContain('closed');
  });

  it('answers reads at once with the whole reply text (replyNow) or the result (runNow), counted', async () => {
    const { store, metrics } = setup();
    let immediate = true;
    const reads: ImmediateReads = {
      readNow: (key): StoredRecord | undefined | typeof notImmediate =>
        immediate ? store.get(key) : notImmediate,
    };
    const dispatcher = new Dispatcher(
      {} as never,
      metrics,
      createLogger('127.0.0.1:7001', 'info', new Writable({ write: (_c, _e, done) => done() })),
      reads,
    );
    // A key quoted as it is (the one-template path) and one JSON must escape.
    const keys = ['key:000000000001', 'k"\u2028'];
    const version = 2 ** 52 + 3;
    for (const key of keys) await store.put(key, { valueJson: '{"a":[1,2]}', version, writer: 'w' });
    await store.put('gone', { valueJson: null, version: 5, writer: 'w' });
    for (const key of keys) {
      for (const id of [7, 'id "7"', 0.5]) {
        expect(dispatcher.replyNow({ id, op: 'read', key }, 'ws')).toBe(
          JSON.stringify({ id, ok: true, result: { key, value: { a: [1, 2] }, version } }),
        );
      }
    }
    const key = keys[0]!;
    const result = { key, value: { a: [1, 2] }, version };
    const batch = new BatchReplyText(3);
    const startedMs = performance.now();
    const firstEndedMs = dispatcher.replyNowInto({ id: 1, op: 'read', key }, 'ws', batch, startedMs);
    expect(firstEndedMs).toBeGreaterThanOrEqual(startedMs);
    expect(dispatcher.replyNowInto({ id: 2, op: 'delete', key }, 'ws', batch, firstEndedMs)).toBe(
      notAnswered,
    );
    const read = { id: 'x', op: 'read', key: keys[1]! } as const;
    expect(dispatcher.replyNowInto(read, 'ws', batch, firstEndedMs)).toBeGreaterThanOrEqual(firstEndedMs);
    expect(JSON.parse(batch.text())).toEqual([
      { id: 1, ok: true, result },
      { id: 'x', ok: true, result: { ...result, key: keys[1] } },
    ]);
    expect(dispatcher.runNow({ id: 1, op: 'read', key }, 'http')).toBe(JSON.stringify(result));
    for (const missing of ['gone', 'never']) {
      expect(() => dispatcher.replyNow({ id: 1, op: 'read', key: missing }, 'ws')).toThrow(
        expect.objectContaining({ code: 'KEY_NOT_FOUND' }),
      );
    }
    expect(dispatcher.replyNow({ id: 1, op: 'delete', key }, 'ws')).toBeUndefined();
    immediate = false;
    expect(dispatcher.replyNow({ id: 1, op: 'read', key }, 'ws')).toBeUndefined();
    const body = await metrics.text().then((m) => m.body);
    expect(body).toContain('ringkv_requests_total{op="read",transport="ws",code="ok"} 8');
    expect(body).toContain('ringkv_requests_total{op="read",transport="http",code="ok"} 1');
    expect(body).toContain('ringkv_requests_total{op="read",transport="ws",code="KEY_NOT_FOUND"} 2');
  });
});
