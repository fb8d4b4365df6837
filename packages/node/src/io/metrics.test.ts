import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NodeMetrics } from './metrics.js';

function linesOf(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

describe('NodeMetrics', () => {
  it('exposes request counts by op, transport and code, and latency buckets as prom-client would', async () => {
    const metrics = new NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) });
    // The oracle: prom-client's own Histogram fed the same durations.
    const oracleRegistry = new Registry();
    const oracle = new Histogram({
      name: 'ringkv_request_duration_seconds',
      help: 'oracle',
      labelNames: ['op', 'transport'],
      buckets: [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      ],
      registers: [oracleRegistry],
    });
    const samples: Array<[string, 'ws' | 'http', string, number]> = [
      ['read', 'ws', 'ok', 0.03],
      ['read', 'ws', 'ok', 0.05], // exactly on a bound: counted in that bucket (le)
      ['read', 'ws', 'KEY_NOT_FOUND', 2],
      ['update', 'http', 'ok', 7000], // beyond the last bound: +Inf only
      ['read', 'http', 'TIMEOUT', 1500],
    ];
    for (const [op, transport, code, ms] of samples) {
      metrics.recordOp(op, transport, code, ms);
      oracle.labels(op, transport).observe(ms / 1000);
    }
    const text = (await metrics.text()).body;
    const expected = await oracleRegistry.metrics();
    const prefix = 'ringkv_request_duration_seconds';
    // Three (op, transport) pairs, each 16 buckets + Inf + sum + count.
    expect(linesOf(text, prefix)).toHaveLength(3 * 19);
    expect(linesOf(text, prefix).sort()).toEqual(linesOf(expected, prefix).sort());
    expect(text).toContain('ringkv_requests_total{op="read",transport="ws",code="ok"} 2');
    expect(text).toContain('ringkv_requests_total{op="read",transport="ws",code="KEY_NOT_FOUND"} 1');
    expect(text).toContain('ringkv_requests_total{op="update",transport="http",code="ok"} 1');
    // A second scrape reports the same totals, not twice them.
    metrics.recordOp('read', 'ws', 'ok', 0.01);
    expect((await metrics.text()).body).toContain(
      'ringkv_requests_total{op="read",transport="ws",code="ok"} 3',
    );
  });

  it('shows what storage reclamation did, read at each scrape', async () => {
    const status = {
      tombstonesCollected: 12,
      recordsCleaned: 34,
      tombstonesRefused: 5,
      hintsExpired: 6,
      passes: 7,
      recordsExamined: 800,
      failedTicks: 1,
    };
    const metrics = new NodeMetrics({
      storeCounts: () => ({ keys: 0, bytes: 0 }),
      reclamation: () => status,
    });
    const first = (await metrics.text()).body;
    expect(first).toContain('ringkv_reclaim_tombstones_collected 12');
    expect(first).toContain('ringkv_reclaim_records_cleaned 34');
    expect(first).toContain('ringkv_reclaim_tombstones_refused 5');
    expect(first).toContain('ringkv_reclaim_hints_expired 6');
    expect(first).toContain('ringkv_reclaim_passes 7');
    expect(first).toContain('ringkv_reclaim_failed_ticks 1');
    status.tombstonesCollected = 13;
    expect((await metrics.text()).body).toContain('ringkv_reclaim_tombstones_collected 13');
    const without = new NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) });
    expect((await without.text()).body).toContain('ringkv_reclaim_tombstones_collected 0');
  });

  it('shows what the node served its peers: batches as requests, their keys apart', async () => {
    const counters = {
      malformed: 0,
      peerRequestsServed: 2,
      replicaReadKeysServed: 40,
      replicaWriteKeysServed: 7,
    };
    const metrics = new NodeMetrics({
      storeCounts: () => ({ keys: 0, bytes: 0 }),
      peerServed: () => counters,
    });
    const text = (await metrics.text()).body;
    expect(text).toContain('ringkv_peer_requests_served 2');
    expect(text).toContain('ringkv_replica_read_keys_served 40');
    expect(text).toContain('ringkv_replica_write_keys_served 7');
    counters.replicaWriteKeysServed = 9;
    expect((await metrics.text()).body).toContain('ringkv_replica_write_keys_served 9');
  });

  it('shows the frames and messages the node sent its peers', async () => {
    const links = { framesSent: 3, messagesSent: 11 };
    const metrics = new NodeMetrics({
      storeCounts: () => ({ keys: 0, bytes: 0 }),
      peerLinks: () => links,
    });
    const text = (await metrics.text()).body;
    expect(text).toContain('ringkv_peer_frames_sent 3');
    expect(text).toContain('ringkv_peer_messages_sent 11');
    links.framesSent = 4;
    expect((await metrics.text()).body).toContain('ringkv_peer_frames_sent 4');
    const without = new NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) });
    expect((await without.text()).body).toContain('ringkv_peer_frames_sent 0');
  });

  it('feeds the per-second window of the stats topic', () => {
    let nowMs = 0;
    const metrics = new NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) }, () => nowMs);
    for (let i = 0; i < 10; i++) metrics.recordOp('read', 'ws', 'ok', 2);
    nowMs = 1_000;
    const sample = metrics.window.sample();
    expect(sample.read?.opsPerSecond).toBe(10);
    expect(sample.read?.p50Ms).toBeCloseTo(2, 1);
  });
});
