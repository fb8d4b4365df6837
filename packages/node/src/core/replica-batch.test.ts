import { limits, type PeerRequest, RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { HybridLogicalClock } from './hlc.js';
import { DataNode, type PeerRequester } from './replica.js';
import { type AnswerSink, promiseSink, ReplicaBatches } from './replica-batch.js';
import { defaultTokens, Ring } from './ring.js';
import type { StoredRecord } from './types.js';

const record = (valueJson: string | null, version = 1): StoredRecord => ({
  valueJson,
  version,
  writer: 'a:1',
});

/** A requester that records each request and answers with `answer(to, request)` (JSON round trip). */
function requester(answer: (to: string, request: PeerRequest) => unknown) {
  const sent: Array<{ to: string; request: PeerRequest }> = [];
  const peers: PeerRequester = {
    request(to, request) {
      sent.push({ to, request: JSON.parse(JSON.stringify(request)) });
      try {
        return Promise.resolve(JSON.parse(JSON.stringify(answer(to, request)))) as never;
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
  return { peers, sent };
}

function collect<T>() {
  const answers: Array<{ node: string; value?: T; error?: unknown }> = [];
  const sink: AnswerSink<T> = {
    answer: (node, value) => answers.push({ node, value }),
    fail: (node, error) => answers.push({ node, error }),
  };
  return { answers, sink };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplicaBatches', () => {
  it('sends the reads of one turn to one peer as one request and answers each key in order', async () => {
    const store = new MemoryStore();
    await store.put('a', record('"A"'));
    await store.put('c', record(null, 2));
    const { peers, sent } = requester((_to, request) => {
      if (request.type !== 'replica-reads') throw new Error('unexpected');
      return { type: 'read-replies', results: request.keys.map((key) => store.get(key) ?? null) };
    });
    const batches = new ReplicaBatches({ peers, timeoutMs: 1000 });
    const { answers, sink } = collect<StoredRecord | undefined>();
    for (const key of ['a', 'b', 'c']) batches.read('n:1', key, sink);
    batches.read('n:2', 'a', sink);
    expect(sent).toHaveLength(0); // nothing leaves before the end of the turn
    await settle();
    expect(sent.map((s) => [s.to, s.request])).toEqual([
      ['n:1', { type: 'replica-reads', keys: ['a', 'b', 'c'] }],
      ['n:2', { type: 'replica-reads', keys: ['a'] }],
    ]);
    expect(answers).toEqual([
      { node: 'n:1', value: record('"A"') },
      { node: 'n:1', value: undefined },
      { node: 'n:1', value: record(null, 2) },
      { node: 'n:2', value: record('"A"') },
    ]);
    expect(batches.stats).toMatchObject({ readBatches: 2, readKeys: 4 });
  });

  it('gives one key its own failure while the other keys of the batch succeed', async () => {
    const { peers } = requester(() => ({
      type: 'write-acks',
      results: [true, { error: { code: 'UNAVAILABLE', message: 'full of hints' } }, false],
    }));
    const batches = new ReplicaBatches({ peers, timeoutMs: 1000 });
    const { answers, sink } = collect<boolean>();
    for (const key of ['x', 'y', 'z']) batches.write('n:1', { key, record: record('1') }, sink);
    await settle();
    expect(answers[0]).toEqual({ node: 'n:1', value: true });
    expect(answers[1]!.error).toBeInstanceOf(RingKvError);
    expect((answers[1]!.error as RingKvError).code).toBe('UNAVAILABLE');
    expect(answers[2]).toEqual({ node: 'n:1', value: false });
  });

  it('fails every key of a batch whose request failed, and every key of a reply with the wrong count', async () => {
    const lost = requester(() => {
      throw new RingKvError('UNAVAILABLE', 'connection lost');
    });
    const batches = new ReplicaBatches({ peers: lost.peers, timeoutMs: 1000 });
    const { answers, sink } = collect<StoredRecord | undefined>();
    batches.read('n:1', 'a', sink);
    batches.read('n:1', 'b', sink);
    await settle();
    expect(answers.map((a) => (a.error as RingKvError).code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);

    const throwing = new ReplicaBatches({
      peers: {
        request: () => {
          throw new RingKvError('UNAVAILABLE', 'thrown, not rejected');
        },
      },
      timeoutMs: 1000,
    });
    const thrown = collect<boolean>();
    throwing.write('n:1', { key: 'a', record: record('1') }, thrown.sink);
    throwing.write('n:1', { key: 'b', record: record('1') }, thrown.sink);
    await settle();
    expect(thrown.answers.map((a) => (a.error as RingKvError).message)).toEqual([
      'thrown, not rejected',
      'thrown, not rejected',
    ]);

    const short = requester(() => ({ type: 'read-replies', results: [null] }));
    const other = new ReplicaBatches({ peers: short.peers, timeoutMs: 1000 });
    const second = collect<StoredRecord | undefined>();
    other.read('n:1', 'a', second.sink);
    other.read('n:1', 'b', second.sink);
    await settle();
    expect(second.answers.map((a) => (a.error as RingKvError).code)).toEqual(['INTERNAL', 'INTERNAL']);
  });

  it('bounds a batch by keys and by bytes', async () => {
    const { peers, sent } = requester((_to, request) =>
      request.type === 'replica-reads'
        ? { type: 'read-replies', results: request.keys.map(() => null) }
        : { type: 'write-acks', results: (request as { writes: unknown[] }).writes.map(() => true) },
    );
    const batches = new ReplicaBatches({ peers, timeoutMs: 1000 });
    const reads = collect<StoredRecord | undefined>();
    for (let i = 0; i < limits.replicaBatchKeysMax + 5; i++) batches.read('n:1', `k${i}`, reads.sink);
    const big = 'x'.repeat(limits.valueBytesMax - 2);
    const writes = collect<boolean>();
    const count = Math.ceil((2 * limits.replicaBatchCharsMax) / limits.valueBytesMax) + 1;
    for (let i = 0; i < count; i++)
      batches.write('n:1', { key: `w${i}`, record: record(`"${big}"`) }, writes.sink);
    await settle();
    const readSizes = sent
      .filter((s) => s.request.type === 'replica-reads')
      .map((s) => {
        return (s.request as { keys: string[] }).keys.length;
      });
    expect(readSizes).toEqual([limits.replicaBatchKeysMax, 5]);
    const writeBatches = sent.filter((s) => s.request.type === 'replica-writes');
    expect(writeBatches.length).toBeGreaterThan(1);
    for (const batch of writeBatches) {
      expect(JSON.stringify(batch.request).length).toBeLessThanOrEqual(limits.replicaBatchCharsMax);
    }
    expect(reads.answers).toHaveLength(limits.replicaBatchKeysMax + 5);
    expect(writes.answers.every((a) => a.value === true)).toBe(true);
    expect(writes.answers).toHaveLength(count);
  });

  it('sends the records it holds as known, and takes "same" as that record', async () => {
    const store = new MemoryStore();
    await store.put('a', record('"A"', 3));
    await store.put('b', record('"B"', 4));
    const { peers, sent } = requester((_to, request) => {
      if (request.type !== 'replica-reads') throw new Error('unexpected');
      return {
        type: 'read-replies',
        results: request.keys.map((key, index) => {
          const held = store.get(key);
          const known = request.known?.[index];
          return held && known && held.version === known.version ? true : (held ?? null);
        }),
      };
    });
    const batches = new ReplicaBatches({ peers, timeoutMs: 1000 });
    const { answers, sink } = collect<StoredRecord | undefined>();
    const mine = record('"A"', 3);
    batches.read('n:1', 'a', sink, mine);
    batches.read('n:1', 'b', sink, record('"old B"', 2));
    batches.read('n:1', 'c', sink);
    await settle();
    expect(sent[0]!.request).toEqual({
      type: 'replica-reads',
      keys: ['a', 'b', 'c'],
      known: [{ version: 3, writer: 'a:1' }, { version: 2, writer: 'a:1' }, null],
    });
    expect(answers[0]!.value).toBe(mine);
    expect(answers[1]!.value).toEqual(record('"B"', 4));
    expect(answers[2]!.value).toBeUndefined();
  });

  it('promiseSink settles one promise per key', async () => {
    const { sink, promise } = promiseSink<number>();
    sink.answer('n:1', 7);
    await expect(promise).resolves.toBe(7);
    const failing = promiseSink<number>();
    failing.sink.fail('n:1', new RingKvError('TIMEOUT', 'late'));
    await expect(failing.promise).rejects.toThrow('late');
  });
});

describe('DataNode serving batches', () => {
  function servingNode() {
    const clock = new SimClock();
    const store = new MemoryStore();
    const write = store.write.bind(store);
    // One key's write fails in the store at once, another once its durability was awaited (a failed
    // commit of the persistent engine): only those keys' answers may say so.
    const faulty: Store = store;
    faulty.write = (key, value) => {
      if (key === 'bad') throw new Error('disk full');
      if (key === 'lost') return Promise.reject(new Error('commit failed'));
      return write(key, value);
    };
    const self = '10.0.0.1:7000';
    const ring = Ring.fromMembers([{ id: self, tokens: defaultTokens(self, 8) }]);
    const node = new DataNode({
      self,
      clock,
      hlc: new HybridLogicalClock(clock),
      store,
      peers: { request: () => Promise.reject(new Error('not used')) },
      placement: { ring: () => ring, isLive: () => true },
      config: { replicationFactor: 3, readQuorum: 2, writeQuorum: 2, replicaTimeoutMs: 1000 },
      ready: () => true,
    });
    return { node, store };
  }

  it('applies each write of a replica-writes on its own and answers each in order', async () => {
    const { node, store } = servingNode();
    const reply = await node.handle('10.0.0.2:7000', {
      type: 'replica-writes',
      writes: [
        { key: 'a', record: record('1', 5) },
        { key: 'bad', record: record('2', 5) },
        { key: 'c', record: record(null, 6) },
        { key: 'lost', record: record('3', 5) },
      ],
    });
    expect(reply.type).toBe('write-acks');
    const results = (reply as { results: unknown[] }).results;
    expect(results[0]).toBe(true);
    expect(results[1]).toEqual({ error: { code: 'INTERNAL', message: 'replica store failed: disk full' } });
    expect(results[2]).toBe(true);
    expect(results[3]).toEqual({
      error: { code: 'INTERNAL', message: 'replica store failed: commit failed' },
    });
    expect(store.get('a')).toEqual(record('1', 5));
    expect(store.get('c')).toEqual(record(null, 6));
    const reads = await node.handle('10.0.0.2:7000', { type: 'replica-reads', keys: ['a', 'bad', 'c'] });
    expect(reads).toEqual({ type: 'read-replies', results: [record('1', 5), null, record(null, 6)] });
    const known = await node.handle('10.0.0.2:7000', {
      type: 'replica-reads',
      keys: ['a', 'c', 'bad'],
      known: [{ version: 5, writer: 'a:1' }, { version: 5, writer: 'a:1' }, null],
    });
    expect(known).toEqual({ type: 'read-replies', results: [true, record(null, 6), null] });
    // Reads are served in the call: a bad request throws there (the peer inbox answers BAD_REQUEST).
    expect(() =>
      node.handle('10.0.0.2:7000', { type: 'replica-reads', keys: ['a', 'c'], known: [null] }),
    ).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
