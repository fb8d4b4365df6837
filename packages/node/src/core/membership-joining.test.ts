/**
 * Joining on a real member table: what a join announces, the first token choice, when a re-choice is
 * allowed, and that tokens are final once the node may turn alive.
 */
import { limits } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { Dissemination } from './dissemination.js';
import { MemberTable } from './member-table.js';
import { Joining } from './membership-joining.js';
import { SelfState } from './membership-self.js';
import type { Ring } from './ring.js';
import { TimerSet } from './timer-set.js';

const self = 'm:1';
const joiningMinMs = 2_000;

function setUp(provisional = true) {
  const clock = new SimClock();
  const table = new MemberTable({
    id: self,
    status: 'alive',
    incarnation: 5,
    tokens: provisional ? [] : [7],
  });
  table.settle();
  const queue = new Dissemination(limits.disseminationQueueMax, 3);
  const selfState = new SelfState({ self, table, queue, emit: () => {}, gossips: () => true });
  const chosen: Array<{ reason: string; nodes: string[] }> = [];
  const finals: number[][] = [];
  let next = 1_000;
  const joining = new Joining({
    self,
    clock,
    timers: new TimerSet(clock),
    config: { joiningMinMs, pingTimeoutMs: 300 },
    table,
    selfState,
    ...(provisional
      ? {
          chooseTokens: (others: Ring, reason: string) => {
            chosen.push({ reason, nodes: others.nodes() });
            next += 10;
            return [next];
          },
          onTokensFinal: (tokens: number[]) => finals.push(tokens),
        }
      : {}),
  });
  const runFor = (ms: number) => {
    const until = clock.nowMs() + ms;
    for (let at = clock.nextAtMs(); at !== undefined && at <= until; at = clock.nextAtMs()) clock.step();
    clock.advanceTo(until);
  };
  const addMember = (id: string, tokens: number[], status: 'alive' | 'joining' = 'alive') => {
    table.apply({ id, status, incarnation: 1, tokens });
    table.settle();
  };
  return { table, selfState, joining, chosen, finals, runFor, addMember };
}

describe('Joining', () => {
  it('a new node introduces itself joining; a returning member alive', () => {
    expect(setUp(true).joining.introduction()).toEqual({
      id: self,
      status: 'joining',
      incarnation: 5,
      tokens: [],
    });
    expect(setUp(false).joining.introduction()).toEqual({
      id: self,
      status: 'alive',
      incarnation: 5,
      tokens: [7],
    });
  });

  it('chooses tokens on the first full state with others: joining, one incarnation up, kept', () => {
    const { selfState, joining, chosen, finals, addMember } = setUp();
    expect(joining.choose()).toBe(false);
    addMember('a:1', [100]);
    expect(joining.choose()).toBe(true);
    expect(chosen).toEqual([{ reason: 'join', nodes: ['a:1'] }]);
    expect(selfState.me).toEqual({ id: self, status: 'joining', incarnation: 6, tokens: [1_010] });
    expect(finals).toEqual([[1_010]]);
    expect(joining.choose()).toBe(false);
  });

  it('re-chooses for a concurrent joiner only while joining and past its seeds', () => {
    const { selfState, joining, chosen, addMember } = setUp();
    addMember('a:1', [100]);
    joining.choose();
    addMember('b:1', [1_010]);
    joining.awaitingSeed = true;
    expect(joining.rechoose()).toBe(false);
    joining.awaitingSeed = false;
    expect(joining.rechoose()).toBe(true);
    expect(chosen.at(-1)).toEqual({ reason: 'collision', nodes: ['a:1', 'b:1'] });
    expect(selfState.me).toMatchObject({ status: 'joining', incarnation: 7, tokens: [1_020] });
  });

  it('a founder keeps its tokens: nothing to choose later', () => {
    const { joining, chosen, finals, addMember } = setUp(false);
    joining.keep();
    addMember('a:1', [100]);
    expect(joining.choose()).toBe(false);
    expect(chosen).toEqual([]);
    expect(finals).toEqual([]);
  });

  it('may turn alive only after the join gate, and its tokens are then final', () => {
    const { joining, runFor, addMember } = setUp();
    addMember('a:1', [100]);
    joining.choose();
    const log: string[] = [];
    const ask = () =>
      joining.mayTurnAlive(
        () => log.push('pull'),
        () => log.push('retry'),
      );
    expect(ask()).toBe(false);
    runFor(joiningMinMs);
    expect(ask()).toBe(false);
    expect(log).toEqual(['retry', 'pull']);
    runFor(300);
    expect(ask()).toBe(true);
    addMember('b:1', [1_010]);
    expect(joining.rechoose()).toBe(false);
  });
});
