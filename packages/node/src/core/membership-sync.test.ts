/**
 * StateSync on a real member table and dissemination queue: what probes carry, and when a differing
 * checksum starts a full-state sync.
 */
import { limits, type MembershipMessage } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { Dissemination } from './dissemination.js';
import { MemberTable } from './member-table.js';
import { StateSync } from './membership-sync.js';

const [self, peer] = ['a:1', 'b:1'] as const;

function setUp() {
  const clock = new SimClock();
  const table = new MemberTable({ id: self, status: 'alive', incarnation: 1, tokens: [10] });
  table.apply({ id: peer, status: 'alive', incarnation: 1, tokens: [20] });
  table.settle();
  const queue = new Dissemination(limits.disseminationQueueMax, 3);
  const sent: Array<{ to: string; message: MembershipMessage }> = [];
  const sync = new StateSync({
    clock,
    config: { syncIntervalMs: 2_000 },
    table,
    queue,
    send: (to, message) => sent.push({ to, message }),
  });
  return { clock, table, queue, sent, sync };
}

const quiet = { checksum: 'other', updates: [] };

describe('StateSync', () => {
  it('starts a push-pull sync when a quiet peer reports another checksum, once per syncIntervalMs', () => {
    const { clock, table, sent, sync } = setUp();
    expect(sync.maybeSync(peer, quiet)).toBe(true);
    expect(sent).toEqual([
      {
        to: peer,
        message: { type: 'sync', reply: true, members: table.fullState(), checksum: table.checksum() },
      },
    ]);
    clock.advanceTo(clock.nowMs() + 1_999);
    expect(sync.maybeSync(peer, quiet)).toBe(false);
    clock.advanceTo(clock.nowMs() + 1);
    expect(sync.maybeSync(peer, quiet)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('does not sync while gossip is still in flight, with a stranger, or when the checksums agree', () => {
    const { table, queue, sent, sync } = setUp();
    expect(sync.maybeSync(peer, { checksum: table.checksum(), updates: [] })).toBe(false);
    expect(sync.maybeSync('stranger:1', quiet)).toBe(false);
    const fact = { id: 'c:1', status: 'alive' as const, incarnation: 1, tokens: [30] };
    expect(sync.maybeSync(peer, { checksum: 'other', updates: [fact] })).toBe(false);
    queue.enqueue(fact);
    expect(sync.maybeSync(peer, quiet)).toBe(false);
    expect(sent).toEqual([]);
  });

  it('adds the checksum and piggybacked facts to a probe', () => {
    const { table, queue, sent, sync } = setUp();
    const fact = { id: 'c:1', status: 'alive' as const, incarnation: 1, tokens: [30] };
    queue.enqueue(fact);
    sync.sendProbe(peer, { type: 'ping', seq: 7 });
    expect(sent).toEqual([
      { to: peer, message: { type: 'ping', seq: 7, checksum: table.checksum(), updates: [fact] } },
    ]);
  });

  it('always tells a member we suspect that we do, on every ping (buddy system)', () => {
    const { table, sent, sync } = setUp();
    table.apply({ id: peer, status: 'suspect', incarnation: 1 });
    table.settle();
    sync.sendProbe(peer, { type: 'ping', seq: 1 });
    sync.sendProbe(peer, { type: 'ack', seq: 2 });
    const [ping, ack] = sent.map((entry) => entry.message) as Array<{ updates: unknown[] }>;
    expect(ping!.updates).toEqual([{ id: peer, status: 'suspect', incarnation: 1 }]);
    expect(ack!.updates).toEqual([]);
  });
});
