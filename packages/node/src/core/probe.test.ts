import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { Prng } from '../sim/prng.js';
import { membershipDefaults } from './membership-config.js';
import { type ProbeMessage, Prober } from './probe.js';
import { TimerSet } from './timer-set.js';

function setup(targets: string[]) {
  const clock = new SimClock();
  const sent: Array<{ to: string; message: ProbeMessage }> = [];
  const failed: string[] = [];
  const prober = new Prober({
    timers: new TimerSet(clock),
    random: new Prng(3),
    config: membershipDefaults,
    send: (to, message) => sent.push({ to, message }),
    targets: () => targets,
    helpers: (target) => targets.filter((id) => id !== target),
    failed: (target) => failed.push(target),
  });
  const drain = () => {
    while (clock.step()) {}
  };
  return { prober, sent, failed, drain, targets };
}

describe('Prober', () => {
  it('probes every member once per round, in a shuffled order', () => {
    const { prober, sent, targets } = setup(['a:1', 'b:1', 'c:1', 'd:1', 'e:1']);
    for (let i = 0; i < 10; i++) prober.probeNext();
    const pinged = sent.filter((s) => s.message.type === 'ping').map((s) => s.to);
    expect([...pinged.slice(0, 5)].sort()).toEqual(targets);
    expect([...pinged.slice(5)].sort()).toEqual(targets);
  });

  it('probes a member that joins mid-round before the round ends or in the next', () => {
    const { prober, sent, targets } = setup(['a:1', 'b:1', 'c:1']);
    prober.probeNext();
    targets.push('z:1');
    for (let i = 0; i < 6; i++) prober.probeNext();
    expect(sent.map((s) => s.to)).toContain('z:1');
  });

  it('asks k helpers after the ping timeout and reports a failure when nobody acks', () => {
    const { prober, sent, failed, drain } = setup(['a:1', 'b:1', 'c:1', 'd:1', 'e:1']);
    prober.probe('a:1');
    drain();
    const requests = sent.filter((s) => s.message.type === 'ping-req');
    expect(requests).toHaveLength(membershipDefaults.indirectPingCount);
    expect(requests.every((s) => s.to !== 'a:1')).toBe(true);
    expect(sent.filter((s) => s.message.type === 'ping' && s.to === 'a:1')).toHaveLength(2);
    expect(failed).toEqual(['a:1']);
  });

  it('an ack (direct or relayed) within the probe prevents the failure', () => {
    const { prober, sent, failed, drain } = setup(['a:1', 'b:1']);
    prober.probe('a:1');
    const seq = sent[0]!.message.seq;
    expect(prober.onAck(seq)).toBeUndefined();
    drain();
    expect(failed).toEqual([]);
  });

  it('relays a ping-req: pings the target and forwards its ack with the requester seq', () => {
    const { prober, sent } = setup(['a:1', 'b:1']);
    prober.onPingReq('r:1', 77, 'a:1');
    const ping = sent.at(-1)!;
    expect(ping).toMatchObject({ to: 'a:1', message: { type: 'ping' } });
    expect(prober.onAck(ping.message.seq)).toEqual({ to: 'r:1', seq: 77 });
    expect(prober.onAck(ping.message.seq)).toBeUndefined();
  });
});
