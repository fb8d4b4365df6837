import type { MembershipMessage } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { SimCluster } from '../sim/harness.js';
import { type MembershipSimNode, membershipNodes } from '../sim/membership-node.js';
import { perfectNetwork } from '../sim/network.js';
import { Prng } from '../sim/prng.js';
import { Membership, type MembershipEvent } from './membership.js';
import { resolveMembershipConfig } from './membership-config.js';

const [a, b, c, d] = ['a:1', 'b:1', 'c:1', 'd:1'] as const;

/** A perfect network; `seeds` says whom each node joins through. */
function cluster(seeds: Record<string, string[]>) {
  const sim = new SimCluster<MembershipSimNode>({
    seed: 1,
    scenario: 'unit',
    faults: perfectNetwork,
    factory: membershipNodes((id) => seeds[id] ?? []),
  });
  for (const id of Object.keys(seeds)) sim.add(id);
  return sim;
}

const statuses = (node: MembershipSimNode) =>
  Object.fromEntries(node.membership.members().map((m) => [m.id, m.status]));

describe('Membership (SWIM) on a perfect network', () => {
  it('joins through a seed: every node lists every node alive with the same ring checksum', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [b], [d]: [a, c] });
    sim.runFor(10_000);
    for (const id of [a, b, c, d]) {
      expect(statuses(sim.node(id))).toEqual({ [a]: 'alive', [b]: 'alive', [c]: 'alive', [d]: 'alive' });
      expect(sim.node(id).membership.checksum()).toBe(sim.node(a).membership.checksum());
      expect(sim.node(id).membership.ring().nodes()).toEqual([a, b, c, d]);
    }
  });

  it('keeps retrying the seeds until one answers', () => {
    const sim = cluster({ [b]: [a] });
    sim.runFor(5_000);
    expect(sim.node(b).membership.member(b)?.status).toBe('joining');
    expect(sim.node(b).membership.stats().joinAttempts).toBeGreaterThan(3);
    sim.add(a);
    sim.runFor(8_000);
    expect(statuses(sim.node(b))).toEqual({ [a]: 'alive', [b]: 'alive' });
  });

  it('a crashed node becomes suspect, then dead after the suspicion timeout, and stays in the ring', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    sim.crash(c);
    const seen: string[] = [];
    sim.node(a).membership.onEvent((event) => {
      if (event.type === 'member' && event.member.id === c) seen.push(event.member.status);
    });
    sim.runFor(15_000);
    expect(seen).toEqual(['suspect', 'dead']);
    expect(statuses(sim.node(b))[c]).toBe('dead');
    expect(sim.node(a).membership.isLive(c)).toBe(false);
    expect(sim.node(a).membership.ring().nodes()).toContain(c);
  });

  it('add_node refuses a member while it is suspect, and takes a dead one again', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    sim.crash(c);
    const statusOfC = () => sim.node(a).membership.member(c)?.status;
    for (let step = 0; step < 300 && statusOfC() !== 'suspect'; step++) sim.runFor(50);
    expect(statusOfC()).toBe('suspect');
    expect(sim.node(a).membership.isLive(c)).toBe(false);
    expect(() => sim.node(a).membership.admit(c)).toThrow(/already a member/);
    for (let step = 0; step < 600 && statusOfC() !== 'dead'; step++) sim.runFor(50);
    expect(statusOfC()).toBe('dead');
    expect(sim.node(a).membership.isMember(c)).toBe(false);
    expect(() => sim.node(a).membership.admit(c)).not.toThrow();
  });

  it('a restarted node comes back alive with a higher incarnation', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    const before = sim.node(a).membership.member(c)!.incarnation;
    sim.crash(c);
    sim.runFor(15_000);
    sim.restart(c);
    sim.runFor(10_000);
    for (const id of [a, b, c]) expect(statuses(sim.node(id))[c]).toBe('alive');
    expect(sim.node(a).membership.member(c)!.incarnation).toBeGreaterThan(before);
  });

  it('a node that hears it is suspected refutes with a higher incarnation', () => {
    const sim = cluster({ [a]: [], [b]: [a] });
    sim.runFor(5_000);
    const node = sim.node(b).membership;
    const incarnation = node.member(b)!.incarnation;
    const suspicion: MembershipMessage = {
      type: 'ping',
      seq: 99,
      checksum: 'x',
      updates: [{ id: b, status: 'suspect', incarnation }],
    };
    node.onMessage(a, suspicion);
    expect(node.member(b)).toMatchObject({ status: 'alive', incarnation: incarnation + 1 });
    expect(node.stats().refutes).toBe(1);
    sim.runFor(5_000);
    expect(sim.node(a).membership.member(b)).toMatchObject({ status: 'alive', incarnation: incarnation + 1 });
  });

  it('a graceful leave removes the node from every member list and ring', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    const removed: string[] = [];
    sim.node(a).membership.onEvent((event: MembershipEvent) => {
      if (event.type === 'removed') removed.push(event.id);
    });
    sim.node(c).membership.leave();
    sim.runFor(5_000);
    expect(removed).toEqual([c]);
    expect(statuses(sim.node(b))).toEqual({ [a]: 'alive', [b]: 'alive' });
    expect(sim.node(b).membership.ring().nodes()).toEqual([a, b]);
    expect(sim.node(c).membership.running()).toBe(false);
  });

  it('admit merges a running single node into the cluster (add_node)', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [] });
    sim.runFor(5_000);
    expect(() => sim.node(a).membership.admit(b)).toThrow(/already a member/);
    sim.node(a).membership.admit(c);
    sim.runFor(5_000);
    for (const id of [a, b, c]) expect(Object.keys(statuses(sim.node(id)))).toEqual([a, b, c]);
  });

  it('decommission marks a node leaving everywhere; forget removes it and stops it', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    sim.node(a).membership.decommission(c);
    sim.runFor(5_000);
    for (const id of [a, b, c]) expect(statuses(sim.node(id))[c]).toBe('leaving');
    expect(sim.node(b).membership.isLive(c)).toBe(true);
    sim.node(b).membership.forget(c);
    sim.runFor(5_000);
    expect(statuses(sim.node(a))).toEqual({ [a]: 'alive', [b]: 'alive' });
    expect(sim.node(c).membership.running()).toBe(false);
    expect(() => sim.node(a).membership.forget('zz:1')).toThrow(/not a member/);
  });

  it('two joining nodes do not found a cluster of their own at once; seed syncs merge what forms', () => {
    // a is down while b and c try to join through each other (and a): after three rounds through
    // their seeds they answer each other; a then starts alone, and b's and c's seed syncs pull it in.
    const sim = cluster({ [b]: [a, c], [c]: [a, b] });
    sim.runFor(1_000);
    expect(sim.node(b).membership.member(b)?.status).toBe('joining');
    sim.runFor(30_000);
    expect(Object.keys(statuses(sim.node(b)))).toEqual([b, c]);
    sim.add(a);
    sim.runFor(25_000);
    for (const id of [a, b, c])
      expect(statuses(sim.node(id))).toEqual({ [a]: 'alive', [b]: 'alive', [c]: 'alive' });
  });

  it('a node removed while it was cut off learns it from the first node it probes', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a] });
    sim.runFor(5_000);
    sim.network.partition([[a, b], [c]]);
    sim.node(a).membership.forget(c);
    sim.runFor(3_000);
    expect(sim.node(c).membership.running()).toBe(true);
    sim.network.heal();
    sim.runFor(10_000);
    expect(sim.node(c).membership.running()).toBe(false);
    expect(statuses(sim.node(b))).toEqual({ [a]: 'alive', [b]: 'alive' });
  });

  it('heals a partition in which each side declared the other dead', () => {
    const sim = cluster({ [a]: [], [b]: [a], [c]: [a], [d]: [a] });
    sim.runFor(5_000);
    sim.network.partition([
      [a, b],
      [c, d],
    ]);
    sim.runFor(20_000);
    expect(statuses(sim.node(a))[c]).toBe('dead');
    expect(statuses(sim.node(c))[a]).toBe('dead');
    sim.network.heal();
    sim.runFor(15_000);
    for (const id of [a, b, c, d]) {
      expect(Object.values(statuses(sim.node(id)))).toEqual(['alive', 'alive', 'alive', 'alive']);
    }
  });
});

describe('Membership construction', () => {
  it('validates its config with messages that say what is wrong', () => {
    expect(() => resolveMembershipConfig({ pingTimeoutMs: 900, indirectPingTimeoutMs: 900 })).toThrow(
      'pingTimeoutMs + indirectPingTimeoutMs must be <= protocolPeriodMs',
    );
    expect(() => resolveMembershipConfig({ indirectPingCount: 50 })).toThrow(/indirectPingCount/);
    expect(() => resolveMembershipConfig({ suspectTimeoutMs: -1 })).toThrow(/suspectTimeoutMs/);
  });

  it('starts alone as a cluster of one, listing itself alive at its boot-time incarnation', () => {
    const clock = new SimClock();
    const sent: unknown[] = [];
    const node = new Membership({
      self: a,
      clock,
      random: new Prng(1),
      send: (_to, message) => sent.push(message),
      tokens: [1, 2, 3],
    });
    node.start([]);
    expect(node.members()).toEqual([
      { id: a, status: 'alive', incarnation: clock.nowMs(), tokens: [1, 2, 3] },
    ]);
    expect(node.ring().nodes()).toEqual([a]);
    for (let i = 0; i < 5; i++) clock.step();
    expect(sent).toEqual([]);
    expect(() => node.start([])).toThrow(/start\(\) while running/);
  });
});
