import { describe, expect, it } from 'vitest';
import { parseGcTrace, summarizeGc } from './gc-trace.js';

function line(atMs: number, kind: string, pause: number, fields: string): string {
  return `[7644:0x5b23870]    ${atMs} ms: pause=${pause} mutator=53.6 gc=${kind} reduce_memory=0 time_to_safepoint=0.00 ${fields}`;
}

const trace = [
  'echo listening on 127.0.0.1:24000',
  line(100, 's', 4, 'allocated=6000000 promoted=600000 new_space_survived=650000 total_size_after=60000000'),
  line(250, 's', 6, 'allocated=6100000 promoted=640000 new_space_survived=660000 total_size_after=61000000'),
  line(400, 'mc', 12.5, 'allocated=2900000 promoted=1800000 new_space_survived=0 total_size_after=50000000'),
  line(550, 's', 2, 'allocated=6000000 promoted=0 new_space_survived=700000 total_size_after=51000000'),
  'a log line that mentions gc=s but is not a trace line',
].join('\n');

describe('parseGcTrace', () => {
  it('reads each --trace-gc-nvp line and skips other output', () => {
    const events = parseGcTrace(trace);
    expect(events.map((event) => event.kind)).toEqual(['s', 's', 'mc', 's']);
    expect(events[1]).toEqual({
      kind: 's',
      atMs: 250,
      pauseMs: 6,
      allocatedBytes: 6_100_000,
      promotedBytes: 640_000,
      survivedBytes: 660_000,
      heapAfterBytes: 61_000_000,
    });
  });
});

describe('summarizeGc', () => {
  it('sums scavenges and mark-compacts apart, per request served in the window', () => {
    const summary = summarizeGc(parseGcTrace(trace), 0, 1_000, 1_000);
    expect(summary.scavenge).toMatchObject({ count: 3, pauseTotalMs: 12, pauseMedianMs: 4, pauseMaxMs: 6 });
    expect(summary.markCompact).toMatchObject({ count: 1, pauseMaxMs: 12.5 });
    // Scavenges only: 600,000 + 640,000 + 0 promoted, plus 2,010,000 copied within the young generation.
    expect(summary.promotedPerRequestBytes).toBe(1_240);
    expect(summary.survivedPerRequestBytes).toBe(3_250);
    expect(summary.heapGrowthPerRequestBytes).toBe(-9_000);
  });

  it('keeps to the window and is zero without requests', () => {
    const summary = summarizeGc(parseGcTrace(trace), 200, 500, 0);
    expect(summary.scavenge.count).toBe(1);
    expect(summary.markCompact.count).toBe(1);
    expect(summary.promotedPerRequestBytes).toBe(0);
  });
});
