import { describe, expect, it } from 'vitest';
import { cpuModelName } from './machine.js';
import { formatNumber, markdownTable, ratio, terminalTable } from './table.js';

describe('table helpers', () => {
  it('formats numbers by magnitude', () => {
    expect(formatNumber(123_456.7)).toBe('123,457');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(Number.NaN)).toBe('-');
  });

  it('prints the same cells in markdown and in the terminal', () => {
    const rows = [{ name: 'a', rate: 1500 }];
    const columns = [
      { header: 'name', cell: (row: (typeof rows)[number]) => row.name, alignRight: false },
      { header: 'ops/s', cell: (row: (typeof rows)[number]) => row.rate },
    ];
    expect(markdownTable(rows, columns)).toBe('| name | ops/s |\n| --- | ---: |\n| a | 1,500 |');
    expect(terminalTable(rows, columns).split('\n')[2]).toBe('a     1,500');
  });

  it('gives ratios only when both sides are known', () => {
    expect(ratio(50, 100)).toBe('0.50x');
    expect(ratio(50, undefined)).toBeUndefined();
    expect(ratio(50, 0)).toBeUndefined();
  });

  it('reads the CPU model from /proc/cpuinfo text', () => {
    expect(cpuModelName('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n')).toBe('AMD EPYC 7B13');
  });
});
