import { describe, expect, it } from 'vitest';
import { opsPerServerCpuSecond } from './report.js';
import type { ResultRow } from './scenarios.js';

const latency = { p50Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, count: 10 };

describe('opsPerServerCpuSecond', () => {
  it('scales the rate to one full core of server CPU, and is blank without a CPU reading', () => {
    const row: ResultRow = {
      target: 't',
      level: 'protocol',
      load: 'depth 1',
      result: { opsPerSecond: 30_000, latency, errors: 0, skipped: 0 },
      serverCpuPercent: 60,
    };
    expect(opsPerServerCpuSecond(row)).toBe(50_000);
    expect(opsPerServerCpuSecond({ ...row, serverCpuPercent: undefined })).toBeUndefined();
    expect(opsPerServerCpuSecond({ ...row, serverCpuPercent: 0 })).toBeUndefined();
  });
});
