import { describe, expect, it } from 'vitest';
import type { MemberState } from './member-table.js';
import { Ring } from './ring.js';
import { RingViews } from './ring-views.js';

const tokens: Record<string, number[]> = { a: [100, 400], b: [200, 500], c: [300, 600], d: [150, 450] };

/** A membership whose members and statuses the test sets; rings derived as MemberTable derives them. */
function membership(statuses: Record<string, MemberState['status']>) {
  const state = { statuses, version: 0 };
  const members = () =>
    Object.entries(state.statuses).map(([id, status]) => ({
      id,
      status,
      incarnation: 1,
      tokens: tokens[id]!,
    }));
  return {
    state,
    view: {
      members,
      fullRing: () => Ring.fromMembers(members()),
      ring: () => Ring.fromMembers(members().filter((member) => member.status !== 'joining')),
      stateChecksum: () => `${state.version}:${JSON.stringify(state.statuses)}`,
    },
  };
}

describe('RingViews', () => {
  it('routes by the serving ring and has no future ring while nothing moves', () => {
    const { view } = membership({ a: 'alive', b: 'alive', c: 'alive' });
    const views = new RingViews(view, 'a');
    expect(views.routing().nodes()).toEqual(['a', 'b', 'c']);
    expect(views.future()).toBeUndefined();
  });

  it('the future ring has joining members in and leaving members out', () => {
    const { view, state } = membership({ a: 'alive', b: 'alive', c: 'alive', d: 'joining' });
    const views = new RingViews(view, 'a');
    expect(views.routing().nodes()).toEqual(['a', 'b', 'c']);
    expect(views.future()?.nodes()).toEqual(['a', 'b', 'c', 'd']);
    state.statuses = { a: 'alive', b: 'leaving', c: 'alive', d: 'alive' };
    expect(views.routing().nodes()).toEqual(['a', 'b', 'c', 'd']);
    expect(views.future()?.nodes()).toEqual(['a', 'c', 'd']);
    // The pending replica of a key b replicates now is the node that takes b's place.
    const key = 'k';
    const now = views.routing().preferenceList(key, 2);
    const later = views.future()!.preferenceList(key, 2);
    expect(later).not.toContain('b');
    expect(later.filter((id) => !now.includes(id)).every((id) => id !== 'b')).toBe(true);
  });

  it('a retired node routes by the ring without itself, so it never coordinates', () => {
    const { view } = membership({ a: 'leaving', b: 'alive', c: 'alive' });
    const views = new RingViews(view, 'a');
    expect(views.routing().has('a')).toBe(true);
    views.retire();
    expect(views.routing().nodes()).toEqual(['b', 'c']);
    for (const key of ['x', 'y', 'z', 'user:1'])
      expect(views.routing().preferenceList(key, 3)).not.toContain('a');
  });
});
