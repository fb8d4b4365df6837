/**
 * Joining with chosen tokens (issue 4 items 1 and 6): a new node picks its tokens against the ring it
 * joins (tokens.ts), every node ends with the same ring, and the newcomer stays `joining` (taking writes,
 * serving no reads) until it says its ranges have arrived.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../sim/harness.js';
import { type MembershipSimNode, membershipNodes, simMembershipConfig } from '../sim/membership-node.js';
import { perfectNetwork } from '../sim/network.js';
import type { MembershipEvent } from './membership.js';
import { primaryShares } from './ranges.js';
import { Ring } from './ring.js';
import { allocateTokens, evenlySpacedTokens } from './tokens.js';

const vnodes = simMembershipConfig.vnodes!;

function cluster(seeds: Record<string, string[]>, config = simMembershipConfig) {
  return new SimCluster<MembershipSimNode>({
    seed: 7,
    scenario: 'unit',
    faults: perfectNetwork,
    factory: membershipNodes((id) => seeds[id] ?? [], config, 'allocate'),
  });
}

const statusOf = (node: MembershipSimNode, id: string) => node.membership.member(id)?.status;

describe('joining with chosen tokens', () => {
  it('a new node takes tokens chosen against the ring it joins, and stays joining until ready', () => {
    const sim = cluster({ 'a:1': [], 'b:1': ['a:1'] });
    const ringsSeenByA: Ring[] = [];
    sim.add('a:1');
    sim.node('a:1').membership.onEvent((event: MembershipEvent) => {
      if (event.type === 'ring') ringsSeenByA.push(sim.node('a:1').membership.fullRing());
    });
    sim.runFor(2_000);
    sim.add('b:1');
    sim.runFor(5_000);
    const a = sim.node('a:1').membership;
    const b = sim.node('b:1').membership;
    // The founder keeps its evenly spaced tokens; the newcomer's are what the allocator gives against them.
    expect(a.member('a:1')?.tokens).toEqual(evenlySpacedTokens('a:1', vnodes));
    const expected = allocateTokens(Ring.fromMembers([a.member('a:1')!]), 'b:1', vnodes);
    for (const node of [a, b]) {
      expect(node.member('b:1')?.tokens).toEqual(expected);
      expect(node.member('b:1')?.status).toBe('joining');
      expect(node.ring().nodes()).toEqual(['a:1']);
      expect(node.fullRing().nodes()).toEqual(['a:1', 'b:1']);
    }
    // No ring at the founder ever held the newcomer with provisional (or no) tokens.
    for (const ring of ringsSeenByA) {
      if (ring.has('b:1')) expect(ring.tokensOf('b:1')).toEqual(expected);
    }
    b.markReady();
    sim.runFor(3_000);
    for (const node of [a, b]) {
      expect(statusOf(sim.node('a:1'), 'b:1')).toBe('alive');
      expect(node.ring().nodes()).toEqual(['a:1', 'b:1']);
      expect(node.ring()).toBe(node.fullRing());
      expect(node.checksum()).toBe(a.checksum());
    }
  });

  it('ten nodes joining one at a time end within 5% of an even split, with one ring everywhere', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `n${i}:1`);
    const sim = cluster(Object.fromEntries(ids.map((id, i) => [id, i === 0 ? [] : [ids[0]!]])), {
      vnodes: 128,
    });
    for (const id of ids) {
      sim.add(id);
      sim.runFor(3_000);
      sim.node(id).membership.markReady();
      sim.runFor(2_000);
    }
    const ring = sim.node(ids[0]!).membership.ring();
    expect(ring.nodes()).toEqual(ids);
    for (const id of ids) {
      expect(sim.node(id).membership.checksum()).toBe(ring.checksum);
      expect(statusOf(sim.node(ids[0]!), id)).toBe('alive');
    }
    const shares = primaryShares(ring);
    const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
    const maxOverMean = Math.max(...shares) / mean;
    console.log(`10 nodes joined one at a time: max/mean primary share ${maxOverMean.toFixed(4)}`);
    expect(maxOverMean).toBeLessThanOrEqual(1.05);
  });

  it('nodes joining at the same moment through different seeds still end near an even split', () => {
    const founders = ['a:1', 'b:1', 'c:1'];
    const joiners = ['d:1', 'e:1', 'f:1'];
    const seeds: Record<string, string[]> = { 'a:1': [], 'b:1': ['a:1'], 'c:1': ['a:1'] };
    joiners.forEach((id, i) => {
      seeds[id] = [founders[i]!];
    });
    const sim = cluster(seeds, { vnodes: 64 });
    for (const id of founders) {
      sim.add(id);
      sim.runFor(3_000);
      sim.node(id).membership.markReady();
      sim.runFor(2_000);
    }
    for (const id of joiners) sim.add(id);
    sim.runFor(3_000);
    for (const id of joiners) sim.node(id).membership.markReady();
    sim.runFor(5_000);
    const ring = sim.node('a:1').membership.ring();
    expect(ring.nodes()).toEqual([...founders, ...joiners]);
    for (const id of [...founders, ...joiners]) {
      expect(sim.node(id).membership.checksum()).toBe(ring.checksum);
    }
    const shares = primaryShares(ring);
    const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
    const minOverMean = Math.min(...shares) / mean;
    const maxOverMean = Math.max(...shares) / mean;
    console.log(
      `3 concurrent joins: primary share min/mean ${minOverMean.toFixed(3)}, max/mean ${maxOverMean.toFixed(3)}`,
    );
    expect(minOverMean).toBeGreaterThanOrEqual(0.8);
    expect(maxOverMean).toBeLessThanOrEqual(1.25);
    // The smallest id keeps its first choice; the others moved around it.
    const rechoices = joiners.map((id) => sim.node(id).membership.stats().tokenRechoices);
    expect(rechoices[0]).toBe(0);
    expect(rechoices[1]).toBeGreaterThanOrEqual(1);
    expect(rechoices[2]).toBeGreaterThanOrEqual(1);
  });

  it('a joiner whose ranges arrive at once still stays joining for joiningMinMs after taking its tokens', () => {
    const sim = cluster({ 'a:1': [], 'b:1': ['a:1'] }, { ...simMembershipConfig, joiningMinMs: 2_000 });
    sim.add('a:1');
    sim.runFor(1_000);
    sim.add('b:1');
    sim.runFor(100);
    const b = sim.node('b:1').membership;
    expect(b.member('b:1')?.status).toBe('joining');
    b.markReady();
    sim.runFor(1_500);
    expect(b.member('b:1')?.status).toBe('joining');
    sim.runFor(1_000);
    expect(b.member('b:1')?.status).toBe('alive');
  });

  it('a node started alone and then admitted replaces its provisional tokens', () => {
    const sim = cluster({ 'a:1': [], 'b:1': [], 'c:1': ['a:1'] });
    sim.add('a:1');
    sim.add('c:1');
    sim.runFor(3_000);
    sim.node('c:1').membership.markReady();
    sim.add('b:1');
    sim.runFor(3_000);
    const b = sim.node('b:1').membership;
    expect(b.member('b:1')?.status).toBe('alive');
    sim.node('a:1').membership.admit('b:1');
    sim.runFor(3_000);
    const a = sim.node('a:1').membership;
    const others = Ring.fromMembers([a.member('a:1')!, a.member('c:1')!]);
    expect(a.member('b:1')?.tokens).toEqual(allocateTokens(others, 'b:1', vnodes));
    expect(a.member('b:1')?.tokens).not.toEqual(evenlySpacedTokens('b:1', vnodes));
    expect(b.member('b:1')?.status).toBe('joining');
    // The admitting node and the founder keep theirs.
    expect(a.member('a:1')?.tokens).toEqual(evenlySpacedTokens('a:1', vnodes));
  });

  it('a returning member (chooseTokens declines) keeps its tokens and is alive at once', () => {
    const sim = new SimCluster<MembershipSimNode>({
      seed: 3,
      scenario: 'unit',
      faults: perfectNetwork,
      factory: membershipNodes((id) => (id === 'a:1' ? [] : ['a:1'])),
    });
    sim.add('a:1');
    sim.add('b:1');
    sim.runFor(5_000);
    expect(statusOf(sim.node('a:1'), 'b:1')).toBe('alive');
    expect(sim.node('a:1').membership.ring().nodes()).toEqual(['a:1', 'b:1']);
  });
});
