import { describe, expect, it } from 'vitest';
import { SimCluster, SimFailure, type SimNodeContext } from './harness.js';
import { perfectNetwork } from './network.js';

/** A toy node: counts ticks in durable state and echoes every message back once. */
function echoNode(context: SimNodeContext) {
  const ticks = context.durable('ticks', () => ({ count: 0 }));
  const log: string[] = [];
  const tick = () => {
    ticks.count++;
    context.clock.setTimer(100, tick);
  };
  context.clock.setTimer(100, tick);
  context.endpoint.onMessage((from, message) => {
    log.push(`${from}:${String(message)}`);
    if (message === 'ping') context.endpoint.send(from, 'pong');
  });
  return { ticks, log, send: (to: string, m: string) => context.endpoint.send(to, m) };
}

describe('SimCluster', () => {
  it('runs nodes on virtual time and routes their messages', () => {
    const cluster = new SimCluster({ seed: 1, scenario: 'toy', factory: echoNode, faults: perfectNetwork });
    const a = cluster.add('a:1');
    const b = cluster.add('b:1');
    a.send('b:1', 'ping');
    cluster.runFor(1_000);
    expect(b.log).toEqual(['a:1:ping']);
    expect(a.log).toEqual(['b:1:pong']);
    expect(a.ticks.count).toBe(10);
  });

  it('keeps durable state across a crash and stops the crashed node cold', () => {
    const cluster = new SimCluster({ seed: 2, scenario: 'toy', factory: echoNode, faults: perfectNetwork });
    cluster.add('a:1');
    cluster.runFor(500);
    cluster.crash('a:1');
    expect(cluster.running()).toEqual([]);
    cluster.runFor(500);
    const reborn = cluster.restart('a:1');
    expect(reborn.ticks.count).toBe(5);
    cluster.runFor(300);
    expect(reborn.ticks.count).toBe(8);
  });

  it('is deterministic: the same seed gives the same run', () => {
    const trace = (seed: number) => {
      const cluster = new SimCluster({ seed, scenario: 'toy', factory: echoNode });
      const nodes = ['a:1', 'b:1', 'c:1'].map((id) => cluster.add(id));
      for (let i = 0; i < 30; i++) nodes[i % 3]!.send(['a:1', 'b:1', 'c:1'][(i + 1) % 3]!, 'ping');
      cluster.runFor(5_000);
      return JSON.stringify([nodes.map((n) => n.log), cluster.network.stats]);
    };
    expect(trace(77)).toBe(trace(77));
  });

  it('drains promise chains between events in runForAsync', async () => {
    const order: string[] = [];
    const cluster = new SimCluster({
      seed: 3,
      scenario: 'toy',
      faults: perfectNetwork,
      factory: (context) => {
        context.endpoint.onMessage(async (_from, message) => {
          await Promise.resolve();
          await Promise.resolve();
          order.push(`handled ${String(message)} at ${context.clock.nowMs() % 1000}`);
        });
        return { send: (to: string, m: string) => context.endpoint.send(to, m) };
      },
    });
    const a = cluster.add('a:1');
    cluster.add('b:1');
    a.send('b:1', 'x');
    cluster.clock.setTimer(2, () => order.push('timer at 2'));
    await cluster.runForAsync(10);
    expect(order).toEqual(['handled x at 1', 'timer at 2']);
  });

  it('fails with the one-line replay command', () => {
    const cluster = new SimCluster({ seed: 99, scenario: 'toy', factory: echoNode, nodes: 5 });
    expect(() => cluster.fail('broken')).toThrow(SimFailure);
    expect(() => cluster.fail('broken')).toThrow('pnpm sim --seed 99 --nodes 5 --scenario toy');
  });

  it('runUntil reports how long a condition took, or undefined on timeout', () => {
    const cluster = new SimCluster({ seed: 4, scenario: 'toy', factory: echoNode, faults: perfectNetwork });
    const a = cluster.add('a:1');
    expect(cluster.runUntil(() => a.ticks.count >= 3, 1_000, 50)).toBe(300);
    expect(cluster.runUntil(() => false, 200, 50)).toBeUndefined();
  });
});
