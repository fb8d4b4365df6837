/** SelfState: facts about this node are refuted with a higher incarnation, or accepted when decided. */
import { limits, type MemberUpdate } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { Dissemination } from './dissemination.js';
import { MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import { SelfState } from './membership-self.js';

const self = 'a:1';

function setUp(gossips = true) {
  const table = new MemberTable({ id: self, status: 'alive', incarnation: 5, tokens: [10] });
  table.settle();
  const queue = new Dissemination(limits.disseminationQueueMax, 3);
  const events: MembershipEvent[] = [];
  const state = new SelfState({
    self,
    table,
    queue,
    emit: (event) => events.push(event),
    gossips: () => gossips,
  });
  const gossiped = () => queue.take('b:1', 2, 16);
  return { table, state, events, gossiped };
}

const fact = (status: MemberUpdate['status'], incarnation: number): MemberUpdate => ({
  id: self,
  status,
  incarnation,
});

describe('SelfState', () => {
  it('refutes a suspicion or a death at our incarnation by announcing itself one higher', () => {
    for (const status of ['suspect', 'dead'] as const) {
      const { state, gossiped, events } = setUp();
      expect(state.onFact(fact(status, 5))).toBe('refuted');
      expect(state.me).toEqual({ id: self, status: 'alive', incarnation: 6, tokens: [10] });
      expect(gossiped()).toEqual([{ id: self, status: 'alive', incarnation: 6, tokens: [10] }]);
      expect(events.map((event) => event.type)).toEqual(['member']);
    }
  });

  it('refutes any fact naming an incarnation above ours, even alive', () => {
    const { state } = setUp();
    expect(state.onFact(fact('alive', 9))).toBe('refuted');
    expect(state.me.incarnation).toBe(10);
  });

  it('ignores facts older than ours and equal ones that say nothing against us', () => {
    const { state, gossiped } = setUp();
    expect(state.onFact(fact('dead', 4))).toBe('stale');
    expect(state.onFact(fact('removed', 4))).toBe('stale');
    expect(state.onFact(fact('alive', 5))).toBe('stale');
    expect(state.me.incarnation).toBe(5);
    expect(gossiped()).toEqual([]);
  });

  it('accepts a decommission (leaving) at its incarnation, and reports a removal to the caller', () => {
    const { state } = setUp();
    expect(state.onFact(fact('leaving', 7))).toBe('leaving');
    expect(state.me).toMatchObject({ status: 'leaving', incarnation: 7 });
    // Already leaving: a suspicion is refuted, staying leaving.
    expect(state.onFact(fact('suspect', 7))).toBe('refuted');
    expect(state.me).toMatchObject({ status: 'leaving', incarnation: 8 });
    expect(state.onFact(fact('removed', 8))).toBe('removed');
  });

  it('does not gossip its own changes before a seed answered (no one to tell yet)', () => {
    const { state, gossiped, events } = setUp(false);
    state.set('joining', 5);
    expect(gossiped()).toEqual([]);
    // A joining member leaves the serving ring, which is rebuilt at once.
    expect(events.map((event) => event.type)).toEqual(['member', 'ring']);
    expect(state.me.status).toBe('joining');
  });

  it('takes new tokens joining, one incarnation up, without rebuilding the ring', () => {
    const { state, table, events } = setUp();
    const ringBefore = table.ring();
    state.takeTokens([40, 50]);
    expect(state.me).toEqual({ id: self, status: 'joining', incarnation: 6, tokens: [40, 50] });
    expect(table.ring()).toBe(ringBefore);
    expect(events).toEqual([
      {
        type: 'member',
        member: { id: self, status: 'joining', incarnation: 6, tokens: [40, 50] },
        previous: { id: self, status: 'alive', incarnation: 5, tokens: [10] },
      },
    ]);
  });
});
