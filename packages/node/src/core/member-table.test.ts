import { limits } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { MemberTable, supersedes } from './member-table.js';

const self = { id: 'a:1', status: 'alive' as const, incarnation: 10, tokens: [1, 2] };

describe('precedence between facts', () => {
  it('a higher incarnation wins whatever the status', () => {
    expect(supersedes({ status: 'alive', incarnation: 6 }, { status: 'dead', incarnation: 5 })).toBe(true);
    expect(supersedes({ status: 'dead', incarnation: 5 }, { status: 'alive', incarnation: 6 })).toBe(false);
  });

  it('at equal incarnation: joining < alive < leaving < suspect < dead < removed', () => {
    const order = ['joining', 'alive', 'leaving', 'suspect', 'dead', 'removed'] as const;
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        const result = supersedes(
          { status: order[i]!, incarnation: 3 },
          { status: order[j]!, incarnation: 3 },
        );
        expect(result, `${order[i]} over ${order[j]}`).toBe(i > j);
      }
    }
  });
});

describe('MemberTable', () => {
  it('adds a member only from a fact that introduces it with tokens', () => {
    const table = new MemberTable(self);
    expect(table.apply({ id: 'b:1', status: 'suspect', incarnation: 1 }).kind).toBe('unknown');
    expect(table.apply({ id: 'b:1', status: 'alive', incarnation: 1 }).kind).toBe('unknown');
    expect(table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [5] }).kind).toBe('changed');
    expect(table.settle()).toBe(true);
    expect(table.ring().nodes()).toEqual(['a:1', 'b:1']);
    expect(table.epoch()).toBe(1);
  });

  it('keeps dead members in the ring; a removal takes them out and is final at its incarnation', () => {
    const table = new MemberTable(self);
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [5] });
    table.apply({ id: 'b:1', status: 'dead', incarnation: 1 });
    table.settle();
    expect(table.ring().nodes()).toContain('b:1');
    expect(table.apply({ id: 'b:1', status: 'removed', incarnation: 1 }).kind).toBe('removed');
    table.settle();
    expect(table.ring().nodes()).toEqual(['a:1']);
    expect(table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [5] }).kind).toBe('ignored');
    expect(table.removedAt('b:1')).toBe(1);
    // A rejoin: a higher incarnation with tokens brings it back.
    expect(table.apply({ id: 'b:1', status: 'alive', incarnation: 2, tokens: [5] }).kind).toBe('changed');
    expect(table.removedAt('b:1')).toBeUndefined();
  });

  it('keeps a decommissioned member leaving when it refutes as alive before hearing of it', () => {
    const table = new MemberTable(self);
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [5] });
    table.apply({ id: 'b:1', status: 'leaving', incarnation: 1001, tokens: [5] });
    table.apply({ id: 'b:1', status: 'suspect', incarnation: 1001 });
    const result = table.apply({ id: 'b:1', status: 'alive', incarnation: 1002, tokens: [5] });
    expect(result).toMatchObject({ kind: 'changed', member: { status: 'leaving', incarnation: 1002 } });
  });

  it('changes the state checksum with statuses but the ring checksum only with members or tokens', () => {
    const table = new MemberTable(self);
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [5] });
    table.settle();
    const ring = table.ring().checksum;
    const state = table.checksum();
    table.apply({ id: 'b:1', status: 'suspect', incarnation: 1 });
    expect(table.settle()).toBe(false);
    expect(table.ring().checksum).toBe(ring);
    expect(table.checksum()).not.toBe(state);
  });

  it('never grows past clusterNodesMax members', () => {
    const table = new MemberTable(self);
    for (let i = 0; i < limits.clusterNodesMax + 10; i++) {
      table.apply({ id: `n${i}:1`, status: 'alive', incarnation: 1, tokens: [i] });
    }
    expect(table.size).toBe(limits.clusterNodesMax);
  });

  it('lists the full state with tombstones, and bounds the tombstones', () => {
    const table = new MemberTable(self);
    const total = limits.membershipTombstonesMax + 5;
    for (let i = 0; i < total; i++) table.apply({ id: `gone${i}:1`, status: 'removed', incarnation: 1 });
    const state = table.fullState();
    expect(state.filter((fact) => fact.status === 'removed')).toHaveLength(limits.membershipTombstonesMax);
    expect(table.removedAt('gone0:1')).toBeUndefined();
    expect(table.removedAt(`gone${total - 1}:1`)).toBe(1);
  });
});
