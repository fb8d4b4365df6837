import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { halfAppPeakRate, halfPeakNote, halfPeakPlacement, halfPeakRate } from './half-peak.js';

const latency = { p50Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, count: 10 };

describe('halfPeakRate', () => {
  const rows = [
    { target: 'echo', load: 'depth 1', result: { opsPerSecond: 21_716 } },
    { target: 'echo', load: 'depth 16', result: { opsPerSecond: 47_322 } },
    { target: 'echo', load: 'batch 100', result: { opsPerSecond: 266_342 } },
    { target: 'ringkv', load: 'depth 16', result: { opsPerSecond: 49_720 } },
    { target: 'ringkv', load: 'depth 1', result: { opsPerSecond: 14_924 } },
  ];

  it("is half the target's depth-1 rate, the peak of one request per frame, whatever depth 16 reached", () => {
    expect(halfPeakRate(rows, 'echo')).toBe(10_858);
    expect(halfPeakRate(rows, 'ringkv')).toBe(7_462);
  });

  it('is undefined without a depth-1 row for the target, and never below 100 ops/s', () => {
    expect(halfPeakRate(rows, 'redis')).toBeUndefined();
    expect(halfPeakRate([{ target: 'slow', load: 'depth 1', result: { opsPerSecond: 12 } }], 'slow')).toBe(
      100,
    );
    expect(halfPeakRate([{ target: 'failed', load: 'depth 1' }], 'failed')).toBeUndefined();
  });
});

describe('halfAppPeakRate', () => {
  it('is half the best closed-loop app rate', () => {
    expect(halfAppPeakRate([42_105, 57_372])).toBe(28_686);
    expect(halfAppPeakRate([])).toBe(100);
  });
});

describe('halfPeakNote', () => {
  it("names the offered rate, the generator's own delays and the server's", () => {
    const result = {
      opsPerSecond: 7_000,
      latency,
      errors: 0,
      skipped: 0,
      generator: {
        sendLagP99Ms: 1.23,
        sendLagMaxMs: 5,
        loopDelayP99Ms: 0.84,
        loopDelayMaxMs: 4,
        gcPauses: 3,
        gcTotalMs: 4.2,
        gcMaxMs: 2,
      },
    };
    const server = {
      loopDelayP99Ms: 2.5,
      loopDelayMaxMs: 9,
      gcPauses: 12,
      gcTotalMs: 40.4,
      majorGcPauses: 0,
      majorGcTotalMs: 0,
      requestP99BoundMs: 0.1,
    };
    expect(halfPeakNote(7_000, result, server)).toBe(
      '7000 ops/s offered; generator loop delay p99 0.8 ms, GC 3 pauses max 2.0 ms; server loop delay p99 2.5 ms, GC 12 pauses 40 ms (no major)',
    );
    const fromSend = { ...latency, p99Ms: 1.84 };
    const pinned = halfPeakPlacement(1, true, true);
    expect(halfPeakNote(7_000, { ...result, latencyFromSend: fromSend }, undefined, pinned)).toBe(
      '7000 ops/s offered; generator on CPU 0, server on CPU 1; p99 from actual send 1.8 ms; generator loop delay p99 0.8 ms, GC 3 pauses max 2.0 ms',
    );
    expect(halfPeakNote(7_000, { ...result, generator: undefined }, undefined)).toBe('7000 ops/s offered');
    const withMajor = { ...server, majorGcPauses: 1, majorGcTotalMs: 21.4 };
    expect(halfPeakNote(7_000, { ...result, generator: undefined }, withMajor)).toBe(
      '7000 ops/s offered; server loop delay p99 2.5 ms, GC 12 pauses 40 ms (major 1, 21 ms)',
    );
  });
});

describe('halfPeakNote with the generator context', () => {
  it('names the generator that ran and the run-queue waits of the two main threads', () => {
    const result = { opsPerSecond: 8_000, latency, errors: 0, skipped: 0, latencyFromSend: latency };
    const wait = (waitMsPerSecond: number) => ({
      waitMsPerSecond,
      waitMicrosPerTimeslice: 9,
      runPercent: 40,
    });
    const context = {
      generatorText: 'generator in its own process, paced sends',
      waits: { server: wait(31.66), generator: wait(14.2) },
    };
    const pinned = halfPeakPlacement(1, true, true);
    expect(halfPeakNote(8_000, result, undefined, pinned, context)).toBe(
      '8000 ops/s offered; generator on CPU 0, server on CPU 1; generator in its own process, paced sends; p99 from actual send 2.0 ms; run-queue wait ms/s server 31.7, generator 14.2',
    );
    const serverOnly = { ...context, waits: { server: wait(3) } };
    expect(halfPeakNote(8_000, result, undefined, undefined, serverOnly)).toBe(
      '8000 ops/s offered; generator in its own process, paced sends; p99 from actual send 2.0 ms; run-queue wait ms/s server 3.0',
    );
    expect(halfPeakNote(8_000, result, undefined, undefined, { ...context, waits: {} })).toBe(
      '8000 ops/s offered; generator in its own process, paced sends; p99 from actual send 2.0 ms',
    );
  });
});

describe('halfPeakPlacement', () => {
  it('pins only a one-process target, only when asked and when taskset can', () => {
    expect(halfPeakPlacement(1, true, true)).toEqual({
      pin: true,
      text: 'generator on CPU 0, server on CPU 1',
    });
    expect(halfPeakPlacement(3, true, true)).toEqual({
      pin: false,
      text: 'not pinned (3 server processes share both cores)',
    });
    expect(halfPeakPlacement(1, false, true)).toEqual({ pin: false, text: 'not pinned (--no-pin)' });
    expect(halfPeakPlacement(1, true, false)).toEqual({
      pin: false,
      text: 'not pinned (no taskset, or one core)',
    });
  });
});

describe('the half-peak generator options', () => {
  it('default to the generator in its own process with paced sends; ws-load stays available', () => {
    expect(parseConfig([])).toMatchObject({ halfGenerator: 'process', halfSchedule: 'paced' });
    expect(parseConfig(['--half-generator', 'ws'])).toMatchObject({ halfGenerator: 'ws' });
    expect(parseConfig(['--half-schedule', 'interval'])).toMatchObject({ halfSchedule: 'interval' });
    expect(() => parseConfig(['--half-generator', 'autocannon'])).toThrow(/--half-generator/);
    expect(() => parseConfig(['--half-schedule', 'often'])).toThrow(/--half-schedule/);
  });
});
