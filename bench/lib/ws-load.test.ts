import { describe, expect, it } from 'vitest';
import { startReplyServer } from './reply-server.test-helper.js';
import { countBatchFailures, runWsLoad, scanReply } from './ws-load.js';

describe('scanReply', () => {
  it('reads id and ok from the front of a reply without parsing the rest', () => {
    expect(scanReply('{"id":42,"ok":true,"result":{"key":"k","value":"v","version":1}}')).toEqual({
      id: 42,
      ok: true,
    });
    expect(scanReply('{"id":7,"ok":false,"error":{"code":"KEY_NOT_FOUND","message":"m"}}')).toEqual({
      id: 7,
      ok: false,
    });
  });

  it('falls back to JSON.parse when fields come in another order', () => {
    expect(scanReply('{"ok":true,"id":3,"result":{}}')).toEqual({ id: 3, ok: true });
    expect(scanReply('{"id":"s","ok":true}')).toEqual({ id: undefined, ok: true });
  });
});

describe('countBatchFailures', () => {
  it('counts failed replies in a batch reply', () => {
    const reply =
      '[{"id":1,"ok":true,"result":{}},{"id":2,"ok":false,"error":{}},{"id":3,"ok":false,"error":{}}]';
    expect(countBatchFailures(reply, 3)).toBe(2);
  });

  it('counts a whole batch as failed when the reply is not an array', () => {
    expect(countBatchFailures('{"id":null,"ok":false,"error":{"code":"TOO_LARGE"}}', 100)).toBe(100);
  });
});

describe('runWsLoad open loop', () => {
  it("reports the generator's own delays and a from-send latency that never exceeds the from-intended one", async () => {
    const server = await startReplyServer();
    try {
      const result = await runWsLoad({
        urls: [server.url],
        connections: 4,
        shape: { kind: 'rate', opsPerSecond: 2_000, inflightPerConnectionMax: 64 },
        durationMs: 300,
        warmupMs: 100,
        keyspace: 1_000,
        readFraction: 0.9,
        valueJson: '"v"',
        seed: 1,
      });
      expect(result.errors).toBe(0);
      expect(result.latency.count).toBeGreaterThan(0);
      expect(result.generator?.sendLagP99Ms).toBeGreaterThanOrEqual(0);
      expect(result.generator?.gcPauses).toBeGreaterThanOrEqual(0);
      // Each request is sent at or after its intended time, so every from-send latency is the smaller one.
      expect(result.latencyFromSend!.count).toBe(result.latency.count);
      expect(result.latencyFromSend!.p99Ms).toBeLessThanOrEqual(result.latency.p99Ms);
    } finally {
      await server.close();
    }
  });
});
