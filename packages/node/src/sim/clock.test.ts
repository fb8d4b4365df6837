import { describe, expect, it } from 'vitest';
import { SimClock, simEpochMs } from './clock.js';

describe('SimClock', () => {
  it('runs events in time order, ties in scheduling order', () => {
    const clock = new SimClock();
    const order: string[] = [];
    clock.setTimer(20, () => order.push('c'));
    clock.setTimer(10, () => order.push('a'));
    clock.setTimer(10, () => order.push('b'));
    clock.setTimer(0, () => order.push('first'));
    while (clock.step()) {}
    expect(order).toEqual(['first', 'a', 'b', 'c']);
    expect(clock.nowMs()).toBe(simEpochMs + 20);
  });

  it('never runs a cancelled timer and counts only live ones', () => {
    const clock = new SimClock();
    let fired = 0;
    const handle = clock.setTimer(5, () => fired++);
    clock.setTimer(6, () => fired++);
    expect(clock.pending()).toBe(2);
    handle.cancel();
    handle.cancel();
    expect(clock.pending()).toBe(1);
    while (clock.step()) {}
    expect(fired).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('timers set by a running event fire later, at their own time', () => {
    const clock = new SimClock();
    const times: number[] = [];
    clock.setTimer(10, () => clock.setTimer(5, () => times.push(clock.elapsedMs())));
    while (clock.step()) {}
    expect(times).toEqual([15]);
  });

  it('a node view applies its skew to nowMs and cancels all its timers on a crash', () => {
    const clock = new SimClock();
    const view = clock.view(-250);
    expect(view.nowMs()).toBe(clock.nowMs() - 250);
    let fired = 0;
    view.setTimer(10, () => fired++);
    view.setTimer(20, () => fired++);
    clock.setTimer(30, () => {});
    view.cancelAll();
    view.setTimer(1, () => fired++);
    while (clock.step()) {}
    expect(fired).toBe(0);
  });

  it('refuses to skip over a pending event', () => {
    const clock = new SimClock();
    clock.setTimer(10, () => {});
    expect(() => clock.advanceTo(clock.nowMs() + 50)).toThrow(/pending event/);
  });
});
