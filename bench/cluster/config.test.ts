import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('gives half-peak cells their own length, pins them by default, and derives their rate', () => {
    const config = parseConfig([]);
    expect(config.cellMs).toBe(5_000);
    expect(config.halfCellMs).toBe(20_000);
    expect(config.pinHalfPeak).toBe(true);
    expect(config.halfRate).toBeUndefined();
  });

  it('takes --half-seconds, --no-pin and a fixed --half-rate for A/B runs', () => {
    const config = parseConfig(['--half-seconds', '30', '--no-pin', '--half-rate', '8000']);
    expect(config).toMatchObject({ halfCellMs: 30_000, pinHalfPeak: false, halfRate: 8_000 });
  });

  it('refuses a half-peak length or rate out of range, naming the option', () => {
    expect(() => parseConfig(['--half-seconds', '0.1'])).toThrow(/--half-seconds must be a number/);
    expect(() => parseConfig(['--half-rate', 'fast'])).toThrow(/--half-rate must be a number/);
  });
});
