/**
 * MemberFacts on a real member table, queue and timers: how facts about others and about this node are
 * applied, suspicion timers, and the once-per-batch ring rebuild.
 */
import { limits, type MemberUpdate } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { Dissemination } from './dissemination.js';
import { MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import { MemberFacts } from './membership-facts.js';
import { SelfState } from './membership-self.js';
import { TimerSet } from './timer-set.js';

const [self, b, c] = ['a:1', 'b:1', 'c:1'] as const;
const suspectTimeoutMs = 5_000;

function setUp(options: { rechoose?: boolean } = {}) {
  const clock = new SimClock();
  const table = new MemberTable({ id: self, status: 'alive', incarnation: 5, tokens: [10] });
  table.settle();
  const queue = new Dissemination(limits.disseminationQueueMax, 3);
  const events: MembershipEvent[] = [];
  const log: string[] = [];
  const emit = (event: MembershipEvent) => {
    events.push(event);
    log.push(event.type);
  };
  const stats = { refutes: 0, suspected: 0, declaredDead: 0 };
  let running = true;
  const selfState = new SelfState({ self, table, queue, emit, gossips: () => true });
  const facts = new MemberFacts({
    self,
    table,
    queue,
    timers: new TimerSet(clock),
    config: { suspectTimeoutMs },
    emit,
    selfState,
    stats,
    running: () => running,
    removedSelf: () => log.push('removedSelf'),
    rechooseTokens: () => {
      log.push('rechoose');
      return options.rechoose ?? false;
    },
    announce: () => log.push('announce'),
  });
  const runFor = (ms: number) => {
    const until = clock.nowMs() + ms;
    for (let next = clock.nextAtMs(); next !== undefined && next <= until; next = clock.nextAtMs())
      clock.step();
    clock.advanceTo(until);
  };
  const stop = () => {
    running = false;
  };
  return { table, queue, events, log, stats, facts, runFor, stop };
}

const alive = (id: string, incarnation: number, tokens: number[]): MemberUpdate => ({
  id,
  status: 'alive',
  incarnation,
  tokens,
});

describe('MemberFacts', () => {
  it('applies a batch, gossips each change on (not back to its source), rebuilds the ring once', () => {
    const { table, queue, events, log, facts } = setUp();
    facts.apply([alive(b, 1, [20]), alive(c, 1, [30])], b);
    expect(log).toEqual(['member', 'member', 'rechoose', 'ring']);
    expect(table.ring().nodes()).toEqual([self, b, c]);
    expect(events.at(-1)).toEqual({ type: 'ring', ring: table.ring() });
    expect(queue.take(b, 3, 16).map((fact) => fact.id)).toEqual([]);
    expect(queue.take(c, 3, 16).map((fact) => fact.id)).toEqual([b, c]);
  });

  it('ignores a fact the table already supersedes: no event, nothing gossiped', () => {
    const { queue, log, facts } = setUp();
    facts.apply([alive(b, 2, [20])], undefined);
    queue.clear();
    log.length = 0;
    facts.apply([alive(b, 1, [20])], undefined);
    expect(log).toEqual(['rechoose']);
    expect(queue.size).toBe(0);
  });

  it('declares a suspect dead when its suspicion is not refuted within suspectTimeoutMs', () => {
    const { table, stats, facts, runFor } = setUp();
    facts.apply([alive(b, 1, [20])], undefined);
    facts.probeFailed(b);
    expect(table.get(b)?.status).toBe('suspect');
    expect(stats.suspected).toBe(1);
    facts.probeFailed(b);
    expect(stats.suspected).toBe(1);
    runFor(suspectTimeoutMs - 1);
    expect(table.get(b)?.status).toBe('suspect');
    runFor(1);
    expect(table.get(b)?.status).toBe('dead');
    expect(stats.declaredDead).toBe(1);
    facts.probeFailed(b);
    expect(stats.suspected).toBe(1);
  });

  it('a refutation (alive, one incarnation up) cancels the suspicion timer', () => {
    const { table, stats, facts, runFor } = setUp();
    facts.apply([alive(b, 1, [20])], undefined);
    facts.probeFailed(b);
    facts.apply([alive(b, 2, [20])], b);
    runFor(suspectTimeoutMs * 2);
    expect(table.get(b)).toMatchObject({ status: 'alive', incarnation: 2 });
    expect(stats.declaredDead).toBe(0);
  });

  it('suspects no one once the protocol no longer runs', () => {
    const { table, stats, facts, stop } = setUp();
    facts.apply([alive(b, 1, [20])], undefined);
    stop();
    facts.probeFailed(b);
    expect(table.get(b)?.status).toBe('alive');
    expect(stats.suspected).toBe(0);
  });

  it('sends facts about this node to SelfState: counts refutations, reports its removal', () => {
    const { table, stats, log, facts } = setUp();
    facts.apply([{ id: self, status: 'suspect', incarnation: 5 }], b);
    expect(stats.refutes).toBe(1);
    expect(table.get(self)).toMatchObject({ status: 'alive', incarnation: 6 });
    facts.apply([{ id: self, status: 'removed', incarnation: 6 }], b);
    expect(log).toContain('removedSelf');
  });

  it('re-chooses tokens unless the batch hook took them, and announces after the ring is rebuilt', () => {
    const took = setUp({ rechoose: true });
    expect(took.facts.apply([alive(b, 1, [20])], b, () => true)).toBe(true);
    expect(took.log).toEqual(['member', 'ring']);
    const rechose = setUp({ rechoose: true });
    expect(rechose.facts.apply([alive(b, 1, [20])], b)).toBe(false);
    expect(rechose.log).toEqual(['member', 'rechoose', 'ring', 'announce']);
  });
});
