import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.js';

describe('Lifecycle', () => {
  it('walks starting -> serving -> draining -> stopped and reports each state', () => {
    const lifecycle = new Lifecycle();
    const seen: string[] = [];
    lifecycle.onChange((state) => seen.push(state));
    expect(lifecycle.state).toBe('starting');
    lifecycle.moveTo('serving');
    expect(lifecycle.serving).toBe(true);
    lifecycle.moveTo('draining');
    expect(lifecycle.serving).toBe(false);
    lifecycle.moveTo('stopped');
    expect(seen).toEqual(['serving', 'draining', 'stopped']);
  });

  it('asserts on illegal transitions', () => {
    const lifecycle = new Lifecycle();
    expect(() => lifecycle.moveTo('starting')).toThrow(/illegal transition starting -> starting/);
    lifecycle.moveTo('serving');
    expect(() => lifecycle.moveTo('stopped')).toThrow(/serving -> stopped/);
    lifecycle.moveTo('draining');
    lifecycle.moveTo('stopped');
    expect(() => lifecycle.moveTo('serving')).toThrow(/stopped -> serving/);
  });

  it('lets a failed start-up stop without serving', () => {
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('stopped');
    expect(lifecycle.state).toBe('stopped');
  });
});
