import { describe, expect, it } from 'vitest';
import { membershipStateEntriesMax, membershipUpdatesPerMessageMax, vnodesMax } from '../limits.js';
import { decodeMembershipMessage } from './membership.js';

const update = { id: 'n1:7001', status: 'alive', incarnation: 5, tokens: [1, 2, 4294967295] };

function errorOf(raw: unknown): string {
  const decoded = decodeMembershipMessage(raw);
  if (decoded.ok) throw new Error('decoded, expected a refusal');
  expect(decoded.error.code).toBe('BAD_REQUEST');
  return decoded.error.message;
}

describe('decodeMembershipMessage', () => {
  it('accepts every well-formed message type', () => {
    const messages = [
      { type: 'ping', seq: 1, checksum: 'abc', updates: [update] },
      { type: 'ack', seq: 1, checksum: 'abc', updates: [] },
      { type: 'ping-req', seq: 2, target: 'n2:7002', checksum: '', updates: [] },
      { type: 'join', member: update },
      {
        type: 'join-reply',
        members: [update, { id: 'n3:7003', status: 'removed', incarnation: 1 }],
        checksum: 'x',
      },
      { type: 'sync', reply: true, members: [], checksum: 'x' },
      { type: 'leave', member: { id: 'n1:7001', status: 'removed', incarnation: 6 } },
    ];
    for (const message of messages) expect(decodeMembershipMessage(message)).toEqual({ ok: true, message });
  });

  it('refuses garbage, naming the field', () => {
    for (const raw of [null, 42, 'ping', [], {}, { type: 'nope' }])
      expect(errorOf(raw)).toMatch(/^membership/);
    expect(errorOf({ type: 'ping', seq: -1, checksum: 'a', updates: [] })).toMatch(/membership\.seq/);
    expect(errorOf({ type: 'ping', seq: 1.5, checksum: 'a', updates: [] })).toMatch(/membership\.seq/);
    expect(errorOf({ type: 'join', member: { ...update, id: 'node1' } })).toMatch(/member\.id.*HOST:PORT/);
    expect(errorOf({ type: 'join', member: { ...update, status: 'zombie' } })).toMatch(/member\.status/);
    expect(errorOf({ type: 'join', member: { ...update, tokens: [2 ** 32] } })).toMatch(/member\.tokens\.0/);
    expect(errorOf({ type: 'join', member: { ...update, incarnation: '5' } })).toMatch(/member\.incarnation/);
    expect(errorOf({ type: 'sync', reply: 'yes', members: [], checksum: 'x' })).toMatch(/membership\.reply/);
    expect(errorOf({ type: 'ack', seq: 1, checksum: 'x'.repeat(65), updates: [] })).toMatch(/checksum/);
  });

  it('bounds every list', () => {
    const updates = Array.from({ length: membershipUpdatesPerMessageMax + 1 }, () => update);
    expect(errorOf({ type: 'ping', seq: 1, checksum: 'a', updates })).toMatch(/updates/);
    const members = Array.from({ length: membershipStateEntriesMax + 1 }, () => update);
    expect(errorOf({ type: 'sync', reply: false, members, checksum: 'a' })).toMatch(/members/);
    const tokens = Array.from({ length: vnodesMax + 1 }, (_, i) => i);
    expect(errorOf({ type: 'join', member: { ...update, tokens } })).toMatch(/tokens/);
  });
});
