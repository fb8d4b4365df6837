import { RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { PeerRequests } from './peer-requests.js';

describe('PeerRequests', () => {
  it('times out each request at its own deadline, whatever order the deadlines were opened in', async () => {
    const requests = new PeerRequests();
    const long = requests.open('b:1', { type: 'stats' }, 10_000);
    const short = requests.open('b:1', { type: 'stats' }, 20);
    long.reply.catch(() => {});
    await expect(short.reply).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(short.reply).rejects.toThrow('b:1 did not answer stats within 20 ms');
    // The longer request is still waiting, and a late reply to the expired one is ignored.
    expect(requests.size).toBe(1);
    expect(requests.timeouts).toBe(1);
    expect(requests.resolve('b:1', short.id, { type: 'stats-reply', keys: 1, bytes: 1 })).toBeUndefined();
    requests.failAll(new RingKvError('UNAVAILABLE', 'closing'));
    await expect(long.reply).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(requests.size).toBe(0);
  });

  it('resolves a reply before its deadline and keeps timing out later requests', async () => {
    const requests = new PeerRequests();
    const first = requests.open('b:1', { type: 'stats' }, 50);
    expect(requests.resolve('b:1', first.id, { type: 'stats-reply', keys: 2, bytes: 3 })).toBeUndefined();
    await expect(first.reply).resolves.toEqual({ type: 'stats-reply', keys: 2, bytes: 3 });
    const second = requests.open('b:1', { type: 'stats' }, 30);
    await expect(second.reply).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(requests.timeouts).toBe(1);
    expect(requests.inflight('b:1')).toBe(0);
  });
});
