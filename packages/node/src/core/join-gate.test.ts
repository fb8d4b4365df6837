import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { JoinGate } from './join-gate.js';
import { TimerSet } from './timer-set.js';

function setUp() {
  const clock = new SimClock();
  const gate = new JoinGate({ clock, timers: new TimerSet(clock), joiningMinMs: 2_000, pullWaitMs: 300 });
  const log: string[] = [];
  const open = () =>
    gate.open(
      () => log.push(`pull@${clock.nowMs() - start}`),
      () => log.push(`retry@${clock.nowMs() - start}`),
    );
  const start = clock.nowMs();
  /** Runs every timer due up to `ms` after the start, then moves the clock there. */
  const at = (ms: number) => {
    for (let next = clock.nextAtMs(); next !== undefined && next <= start + ms; next = clock.nextAtMs()) {
      clock.step();
    }
    clock.advanceTo(start + ms);
  };
  return { gate, log, open, at };
}

describe('JoinGate', () => {
  it('opens at once for a node that never took tokens', () => {
    expect(setUp().open()).toBe(true);
  });

  it('waits joiningMinMs after tokens, then pulls once, then opens', () => {
    const { gate, log, open, at } = setUp();
    gate.tookTokens();
    at(500);
    expect(open()).toBe(false);
    at(2_000);
    expect(log).toEqual(['retry@2000']);
    expect(open()).toBe(false);
    expect(log).toEqual(['retry@2000', 'pull@2000']);
    at(2_300);
    expect(log.at(-1)).toBe('retry@2300');
    expect(open()).toBe(true);
  });

  it('makes a pending wait void when tokens are taken again, and pulls again for the new ones', () => {
    const { gate, log, open, at } = setUp();
    gate.tookTokens();
    at(2_000);
    expect(open()).toBe(false);
    expect(log).toEqual(['pull@2000']);
    gate.tookTokens();
    at(2_500);
    expect(log).toEqual(['pull@2000']);
    expect(open()).toBe(false);
    at(4_000);
    expect(log).toEqual(['pull@2000', 'retry@4000']);
    expect(open()).toBe(false);
    expect(log.at(-1)).toBe('pull@4000');
  });
});
