import { describe, expect, it } from 'vitest';
import { dueCount } from './latency.js';
import { OpenLoopRun } from './open-loop.js';
import { buildFrames, connectionOf, idOf } from './open-loop-frames.js';
import { InflightTable } from './open-loop-inflight.js';
import { OpenLoopProcess } from './open-loop-process.js';
import { startReplyServer } from './reply-server.test-helper.js';
import { LoadState } from './ws-load.js';

const frameOptions = { connections: 3, keyspace: 1_000, readFraction: 0.9, valueJson: '"v"', seed: 5 };

describe('buildFrames', () => {
  it("holds ws-load's request sequence: the same keys and operations, ids per connection round-robin", () => {
    const frames = buildFrames({ ...frameOptions, count: 200 });
    const reference = new LoadState(
      { ...frameOptions, urls: [], shape: { kind: 'depth', depth: 1 }, durationMs: 0, warmupMs: 0 },
      frameOptions.seed,
    );
    const nextId = [1, 1, 1];
    for (let index = 0; index < frames.count; index++) {
      const connection = connectionOf(index, 3);
      expect(idOf(index, 3)).toBe(nextId[connection]);
      const expected = reference.request(nextId[connection]!++);
      const frame = frames.bytes.subarray(frames.offsets[index]!, frames.offsets[index + 1]!);
      const headerBytes = expected.length < 126 ? 6 : 8;
      expect(frame.toString('latin1', headerBytes)).toBe(expected);
    }
    expect(frames.offsets[frames.count]).toBe(frames.bytes.length);
  });

  it('refuses an empty or unbounded build', () => {
    expect(() => buildFrames({ ...frameOptions, count: 0 })).toThrow(/requests to build/);
    expect(() => buildFrames({ ...frameOptions, count: 10_000_000 })).toThrow(/requests to build/);
  });
});

describe('dueCount', () => {
  it('counts request 0 as due at the start and request i at i / rate', () => {
    expect(dueCount(-1, 1_000)).toBe(0);
    expect(dueCount(0, 1_000)).toBe(1);
    expect(dueCount(999, 1_000)).toBe(1);
    expect(dueCount(1_000, 1_000)).toBe(2);
    expect(dueCount(1_000_000, 8_000)).toBe(8_001);
  });
});

describe('InflightTable', () => {
  it('keeps each request’s times until its reply, and refuses an id whose slot is still taken', () => {
    const table = new InflightTable(2, 4);
    expect(table.add(0, 1, 10, 12)).toBe(true);
    expect(table.add(1, 1, 20, 21)).toBe(true);
    expect(table.add(0, 5, 30, 30)).toBe(false);
    expect(table.inflight()).toBe(2);
    const slot = table.take(0, 1);
    expect(table.intendedAt(slot)).toBe(10);
    expect(table.sentAt(slot)).toBe(12);
    expect(table.take(0, 1)).toBe(-1);
    expect(table.take(1, 2)).toBe(-1);
    expect(table.add(0, 5, 30, 30)).toBe(true);
    expect(table.inflight()).toBe(2);
  });
});

/** Two connections at 1,000/s, paced, 50 ms of warm-up and 200 ms measured: long enough to see replies. */
function shortPacedRun(url: string) {
  return {
    urls: [url],
    connections: 2,
    opsPerSecond: 1_000,
    inflightPerConnectionMax: 64,
    warmupMs: 50,
    durationMs: 200,
    schedule: 'paced' as const,
  };
}

describe('OpenLoopRun', () => {
  for (const schedule of ['interval', 'paced'] as const) {
    it(`(${schedule}) times every reply from its intended send and from its actual send`, async () => {
      const server = await startReplyServer();
      try {
        const options = {
          urls: [server.url],
          connections: 3,
          opsPerSecond: 2_000,
          inflightPerConnectionMax: 64,
          warmupMs: 100,
          durationMs: 300,
          schedule,
        };
        let windows = 0;
        const run = new OpenLoopRun(options, buildFrames({ ...frameOptions, count: 2_000 }), () => windows++);
        await run.connect();
        const result = await run.run();
        expect(windows).toBe(1);
        expect(result.errors).toBe(0);
        expect(result.latency.count).toBeGreaterThan(0);
        expect(result.latencyFromSend.count).toBe(result.latency.count);
        // Each request leaves at or after its intended time, so its from-send latency is the smaller one.
        expect(result.latencyFromSend.p99Ms).toBeLessThanOrEqual(result.latency.p99Ms);
        expect(result.generator.sendLagP99Ms).toBeGreaterThanOrEqual(0);
      } finally {
        await server.close();
      }
    });
  }

  it('counts error replies as errors, with a sample', async () => {
    const server = await startReplyServer(
      (id) => `{"id":${id},"ok":false,"error":{"code":"KEY_NOT_FOUND","message":"m"}}`,
    );
    try {
      const options = shortPacedRun(server.url);
      const run = new OpenLoopRun(options, buildFrames({ ...frameOptions, connections: 2, count: 1_000 }));
      await run.connect();
      const result = await run.run();
      expect(result.errors).toBeGreaterThan(0);
      expect(result.errorSample).toContain('KEY_NOT_FOUND');
      expect(result.opsPerSecond).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('OpenLoopProcess', () => {
  it('runs the generator in a child process and hands its result back', async () => {
    const server = await startReplyServer();
    try {
      const options = shortPacedRun(server.url);
      const generator = await OpenLoopProcess.start(options, frameOptions);
      expect(generator.pid).not.toBe(process.pid);
      let windows = 0;
      const result = await generator.run(() => windows++);
      expect(windows).toBe(1);
      expect(result.errors).toBe(0);
      expect(result.latency.count).toBeGreaterThan(0);
      expect(result.cpuPercent).toBeGreaterThan(0);
      expect(result.runQueueWait?.runPercent).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
