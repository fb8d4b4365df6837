import { type PeerEnvelope, type PeerReply, type PeerRequest, RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { noneServed, type PeerHandlers, PeerInbox } from './peer-inbox.js';
import { PeerRequests } from './peer-requests.js';

const peer = '10.0.0.2:7000';
const statsReply: PeerReply = { type: 'stats-reply', keys: 1, bytes: 2 };

function inbox(onRequest: PeerHandlers['onRequest']) {
  const sent: PeerEnvelope[] = [];
  const errors: object[] = [];
  const counters = noneServed();
  const logger = { debug() {}, info() {}, warn() {}, error: (details: object) => errors.push(details) };
  const box = new PeerInbox({
    requests: new PeerRequests(),
    logger,
    counters,
    handlers: () => ({ onMessage() {}, onRequest }),
    reply: (to, envelope) => {
      expect(to).toBe(peer);
      sent.push(envelope);
    },
  });
  const socket = { close() {} } as unknown as WebSocket;
  const request = (id: number, body: PeerRequest) =>
    box.onFrame(peer, socket, JSON.stringify([{ k: 'req', id, body }]));
  return { sent, errors, counters, request };
}

describe('PeerInbox serving requests', () => {
  it('answers a reply given at once in the same call, and counts it', () => {
    const { sent, counters, request } = inbox(() => statsReply);
    request(1, { type: 'stats' });
    expect(sent).toEqual([{ k: 'ok', id: 1, body: statsReply }]);
    expect(counters.peerRequestsServed).toBe(1);
  });

  it('answers a promised reply once it settles', async () => {
    let resolve!: (reply: PeerReply) => void;
    const { sent, request } = inbox(() => new Promise<PeerReply>((settle) => (resolve = settle)));
    request(2, { type: 'stats' });
    expect(sent).toEqual([]);
    resolve(statsReply);
    await Promise.resolve();
    await Promise.resolve();
    expect(sent).toEqual([{ k: 'ok', id: 2, body: statsReply }]);
  });

  it('answers a thrown or rejected RingKvError with its code, anything else as INTERNAL (and logs it)', async () => {
    const failures: Array<() => PeerReply | Promise<PeerReply>> = [
      () => {
        throw new RingKvError('BAD_REQUEST', 'bad keys');
      },
      () => Promise.reject(new RingKvError('UNAVAILABLE', 'busy')),
      () => {
        throw new Error('bug');
      },
    ];
    let next = 0;
    const { sent, errors, counters, request } = inbox(() => failures[next++]!());
    for (const id of [1, 2, 3]) request(id, { type: 'stats' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([
      { k: 'err', id: 1, error: { code: 'BAD_REQUEST', message: 'bad keys' } },
      { k: 'err', id: 3, error: { code: 'INTERNAL', message: 'request failed' } },
      { k: 'err', id: 2, error: { code: 'UNAVAILABLE', message: 'busy' } },
    ]);
    expect(errors).toHaveLength(1);
    expect(counters.peerRequestsServed).toBe(0);
  });
});
