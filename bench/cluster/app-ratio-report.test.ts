import { describe, expect, it } from 'vitest';
import { markdownTable } from '../lib/table.js';
import { type PairRow, pairColumns, pairRatio, summarizePairs } from './app-ratio-report.js';

function row(round: number, workers: number, ringkv: number, ioredis: number): PairRow {
  return {
    round,
    workers,
    first: round % 2 === 1 ? 'ringkv' : 'ioredis',
    ringkvOpsPerSecond: ringkv,
    ioredisOpsPerSecond: ioredis,
    ringkvServerCpuPercent: 130,
    ioredisServerCpuPercent: 25,
    ringkvClientCpuPercent: 45,
    ioredisClientCpuPercent: 99,
  };
}

describe('app-ratio report', () => {
  it('divides RingClient by ioredis within each pair', () => {
    expect(pairRatio(row(1, 50, 20_000, 40_000))).toBe(0.5);
  });

  it('summarises each worker count by the median and range of its pairs, odd and even counts', () => {
    const rows = [
      row(1, 50, 21_000, 50_000), // 0.42
      row(1, 1000, 40_000, 80_000), // 0.50
      row(2, 50, 24_000, 50_000), // 0.48
      row(2, 1000, 44_000, 80_000), // 0.55
      row(3, 50, 26_500, 50_000), // 0.53
    ];
    expect(summarizePairs(rows)).toEqual([
      '- 50 workers: ratio median 0.48x (0.42x-0.53x over 3 pairs)',
      '- 1000 workers: ratio median 0.53x (0.50x-0.55x over 2 pairs)',
    ]);
  });

  it('prints one table row per pair with the ratio and who ran first', () => {
    const table = markdownTable([row(2, 50, 23_275, 44_058)], pairColumns);
    expect(table.split('\n')[2]).toBe('| 2 | 50 | ioredis | 23,275 | 44,058 | 0.53x | 130 | 25 | 45 | 99 |');
  });
});
