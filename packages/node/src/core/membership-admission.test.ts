/** Admission (add_node): offers until the node is a member or the offers run out, bounded in count. */
import { limits, RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { Admission } from './membership-admission.js';

function setUp() {
  const members = new Set<string>();
  const log: string[] = [];
  const admission = new Admission({
    table: {
      get: (id) => (members.has(id) ? { id, status: 'alive', incarnation: 1, tokens: [1] } : undefined),
    },
    offer: (to) => log.push(`offer ${to}`),
    founding: () => log.push('founding'),
  });
  return { members, log, admission };
}

describe('Admission', () => {
  it('founds the cluster, then offers at once and once per period until the node is a member', () => {
    const { members, log, admission } = setUp();
    admission.admit('b:1');
    expect(log).toEqual(['founding', 'offer b:1']);
    admission.tick();
    expect(log).toEqual(['founding', 'offer b:1', 'offer b:1']);
    members.add('b:1');
    admission.tick();
    expect(log).toHaveLength(3);
    expect(admission.size).toBe(0);
  });

  it('gives up after membershipAdmitAttemptsMax repeated offers', () => {
    const { log, admission } = setUp();
    admission.admit('b:1');
    for (let period = 0; period < limits.membershipAdmitAttemptsMax + 5; period++) admission.tick();
    expect(log.filter((entry) => entry === 'offer b:1')).toHaveLength(1 + limits.membershipAdmitAttemptsMax);
    expect(admission.size).toBe(0);
  });

  it('refuses more than clusterNodesMax open admissions with UNAVAILABLE', () => {
    const { log, admission } = setUp();
    for (let i = 0; i < limits.clusterNodesMax; i++) admission.admit(`n${i}:1`);
    const refused = (() => {
      try {
        admission.admit('one-more:1');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(RingKvError);
    expect((refused as RingKvError).code).toBe('UNAVAILABLE');
    expect(log).not.toContain('offer one-more:1');
    expect(log.filter((entry) => entry === 'founding')).toHaveLength(limits.clusterNodesMax);
  });
});
