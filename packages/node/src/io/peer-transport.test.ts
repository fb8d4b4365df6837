import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PeerReply, type PeerRequest, peerProtocolVersion, RingKvError } from '@ringkv/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { handshakeProof, newNonce } from './peer-handshake.js';
import { type PeerLogger, PeerTransport, type PeerTransportOptions } from './peer-transport.js';

/** A membership ping: the only fire-and-forget message the mesh carries. */
function ping(seq: number) {
  return { type: 'ping' as const, seq, checksum: 'c', updates: [] };
}

const quiet: PeerLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface TestPeer {
  id: string;
  server: Server;
  transport: PeerTransport;
  messages: Array<{ from: string; body: unknown }>;
}

const started: TestPeer[] = [];

async function listen(port = 0): Promise<Server> {
  const server = createServer((_, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

async function startPeer(
  options: Partial<PeerTransportOptions> = {},
  onRequest?: (from: string, request: PeerRequest) => Promise<PeerReply>,
  port = 0,
): Promise<TestPeer> {
  const server = await listen(port);
  const id = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transport = new PeerTransport({
    self: id,
    cluster: 'test',
    secret: 's3cret',
    logger: quiet,
    reconnectDelayMsMin: 20,
    reconnectDelayMsMax: 200,
    ...options,
  });
  const messages: TestPeer['messages'] = [];
  transport.setHandlers({
    onMessage: (from, body) => messages.push({ from, body }),
    onRequest:
      onRequest ??
      (async (_from, request) =>
        request.type === 'stats'
          ? { type: 'stats-reply', keys: 7, bytes: 70 }
          : { type: 'write-ack', applied: true }),
  });
  server.on('upgrade', (request, socket, head) => {
    if (!transport.handleUpgrade(request, socket, head)) socket.destroy();
  });
  const peer = { id, server, transport, messages };
  started.push(peer);
  return peer;
}

async function stopPeer(peer: TestPeer): Promise<void> {
  await peer.transport.close();
  peer.server.closeAllConnections();
  await new Promise<void>((resolve) => peer.server.close(() => resolve()));
  started.splice(started.indexOf(peer), 1);
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  for (const peer of [...started]) await stopPeer(peer);
});

describe('PeerTransport', () => {
  it('answers requests in both directions over one authenticated connection', async () => {
    const a = await startPeer();
    const b = await startPeer();
    await expect(a.transport.request(b.id, { type: 'stats' })).resolves.toEqual({
      type: 'stats-reply',
      keys: 7,
      bytes: 70,
    });
    const reply = await b.transport.request(a.id, {
      type: 'replica-write',
      key: 'k',
      record: { valueJson: '1', version: 5, writer: b.id },
    });
    expect(reply).toEqual({ type: 'write-ack', applied: true });
    await until(() => a.transport.connectedPeers().length === 1 && b.transport.connectedPeers().length === 1);
  });

  it('counts a batch as one request served and each of its keys as a replica key served', async () => {
    const keysInBatch = 37;
    const a = await startPeer();
    const b = await startPeer({}, async (_from, request) => {
      if (request.type === 'replica-writes') {
        return { type: 'write-acks', results: request.writes.map(() => true) };
      }
      if (request.type === 'replica-reads')
        return { type: 'read-replies', results: request.keys.map(() => null) };
      if (request.type === 'stats') return { type: 'stats-reply', keys: 0, bytes: 0 };
      return { type: 'write-ack', applied: true };
    });
    const keys = Array.from({ length: keysInBatch }, (_, i) => `key-${i}`);
    const record = { valueJson: '1', version: 5, writer: a.id };
    await a.transport.request(b.id, {
      type: 'replica-writes',
      writes: keys.map((key) => ({ key, record })),
    });
    expect(b.transport.counters).toMatchObject({
      peerRequestsServed: 1,
      replicaWriteKeysServed: keysInBatch,
      replicaReadKeysServed: 0,
    });
    await a.transport.request(b.id, { type: 'replica-reads', keys: keys.slice(0, 5) });
    await a.transport.request(b.id, { type: 'replica-write', key: 'one', record });
    await a.transport.request(b.id, { type: 'stats' });
    expect(b.transport.counters).toMatchObject({
      peerRequestsServed: 4,
      replicaWriteKeysServed: keysInBatch + 1,
      replicaReadKeysServed: 5,
    });
    // Requests this node sent are not counted as served here.
    expect(a.transport.counters.peerRequestsServed).toBe(0);
  });

  it('coalesces the messages of one event-loop turn into few frames, in order', async () => {
    const a = await startPeer();
    const b = await startPeer();
    await a.transport.request(b.id, { type: 'stats' });
    const framesBefore = a.transport.stats().framesSent;
    for (let i = 0; i < 1000; i++) a.transport.send(b.id, ping(i));
    await until(() => b.messages.length === 1000);
    expect(b.messages.map((m) => (m.body as { seq: number }).seq)).toEqual([...Array(1000).keys()]);
    expect(b.messages.every((m) => m.from === a.id)).toBe(true);
    expect(a.transport.stats().framesSent - framesBefore).toBeLessThanOrEqual(2);
  });

  it('keeps one connection when both sides dial at the same time', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const [ab, ba] = await Promise.all([
      a.transport.request(b.id, { type: 'stats' }),
      b.transport.request(a.id, { type: 'stats' }),
    ]).catch(async () => {
      // A request sent on the connection dropped as a duplicate may fail; the retry must succeed.
      return Promise.all([
        a.transport.request(b.id, { type: 'stats' }),
        b.transport.request(a.id, { type: 'stats' }),
      ]);
    });
    expect(ab.type).toBe('stats-reply');
    expect(ba.type).toBe('stats-reply');
    // Each side keeps exactly one open link to the other, and both keep working.
    await until(() => a.transport.isConnected(b.id) && b.transport.isConnected(a.id));
    for (let i = 0; i < 20; i++) a.transport.send(b.id, ping(i));
    await until(() => b.messages.length === 20);
  });

  it('answers TIMEOUT when the peer does not reply in time', async () => {
    const a = await startPeer({ requestTimeoutMs: 100 });
    const b = await startPeer({}, () => new Promise<PeerReply>(() => {}));
    const error = await a.transport.request(b.id, { type: 'stats' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingKvError);
    expect((error as RingKvError).code).toBe('TIMEOUT');
  });

  it('passes a RingKvError from the handler back with its code', async () => {
    const a = await startPeer();
    const b = await startPeer({}, async () => {
      throw new RingKvError('KEY_EXISTS', 'key "k" exists');
    });
    await expect(a.transport.request(b.id, { type: 'stats' })).rejects.toMatchObject({ code: 'KEY_EXISTS' });
  });

  it('answers UNAVAILABLE, not a hang, for a peer that is not listening', async () => {
    const a = await startPeer();
    const closed = await listen();
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(a.transport.request(`127.0.0.1:${port}`, { type: 'stats' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('reconnects after the peer restarts on the same address', async () => {
    const a = await startPeer();
    let b = await startPeer();
    const port = Number(b.id.split(':')[1]);
    await a.transport.request(b.id, { type: 'stats' });
    await stopPeer(b);
    await until(() => !a.transport.isConnected(b.id));
    b = await startPeer({}, undefined, port);
    await until(() => {
      a.transport.send(b.id, ping(0));
      return b.messages.length > 0;
    });
    await expect(a.transport.request(b.id, { type: 'stats' })).resolves.toMatchObject({
      type: 'stats-reply',
    });
  });
});

describe('PeerTransport refuses peers it cannot trust', () => {
  it('refuses a peer with the wrong cluster secret, on both sides', async () => {
    const a = await startPeer({ secret: 'right' });
    const b = await startPeer({ secret: 'wrong' });
    await expect(a.transport.request(b.id, { type: 'stats' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(a.transport.probe(b.id)).rejects.toMatchObject({ code: 'NODE_UNREACHABLE' });
    expect(b.transport.counters.refused).toBeGreaterThan(0);
    expect(a.transport.isConnected(b.id)).toBe(false);
    expect(b.messages).toEqual([]);
  });

  it('refuses a peer without a secret when we have one, and the reverse', async () => {
    const a = await startPeer({ secret: 'right' });
    const b = await startPeer({ secret: undefined });
    await expect(a.transport.probe(b.id)).rejects.toMatchObject({ code: 'NODE_UNREACHABLE' });
    await expect(b.transport.probe(a.id)).rejects.toMatchObject({ code: 'NODE_UNREACHABLE' });
    const c = await startPeer({ secret: undefined });
    await expect(b.transport.probe(c.id)).resolves.toBeUndefined();
  });

  it('refuses a peer of another cluster', async () => {
    const a = await startPeer({ cluster: 'one' });
    const b = await startPeer({ cluster: 'two' });
    await expect(a.transport.probe(b.id)).rejects.toMatchObject({ code: 'NODE_UNREACHABLE' });
  });

  it('disconnects an authenticated peer that sends a malformed frame', async () => {
    const a = await startPeer();
    const self = '127.0.0.1:1';
    const socket = new WebSocket(`ws://${a.id}/peer`);
    const texts: string[] = [];
    socket.on('message', (data) => texts.push(data.toString()));
    await new Promise((resolve) => socket.once('open', resolve));
    const nonce = newNonce();
    socket.send(
      JSON.stringify({ type: 'hello', cluster: 'test', node: self, version: peerProtocolVersion, nonce }),
    );
    await until(() => texts.length === 1);
    const welcome = JSON.parse(texts[0]!) as { nonce: string };
    const proof = handshakeProof('s3cret', 'dialer', welcome.nonce, self, a.id, 'test');
    socket.send(JSON.stringify({ type: 'auth', proof }));
    await until(() => texts.length === 2);
    expect(JSON.parse(texts[1]!)).toEqual({ type: 'ready' });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify([{ k: 'msg', body: { type: 'ping', seq: -1 } }]));
    expect(await closed).toBe(4002);
    expect(a.transport.counters.malformed).toBe(1);
  });

  it('refuses a node that answers under another id than the address dialled', async () => {
    const a = await startPeer();
    const server = await listen();
    const port = (server.address() as AddressInfo).port;
    const impostor = new PeerTransport({
      self: '10.9.9.9:7001',
      cluster: 'test',
      secret: 's3cret',
      logger: quiet,
    });
    server.on('upgrade', (request, socket, head) => impostor.handleUpgrade(request, socket, head));
    try {
      await expect(a.transport.probe(`127.0.0.1:${port}`)).rejects.toMatchObject({
        code: 'NODE_UNREACHABLE',
      });
    } finally {
      await impostor.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('does not accept an acceptor proof reflected back as a dialer proof', async () => {
    const a = await startPeer();
    const self = '127.0.0.1:2';
    const socket = new WebSocket(`ws://${a.id}/peer`);
    const texts: string[] = [];
    socket.on('message', (data) => texts.push(data.toString()));
    await new Promise((resolve) => socket.once('open', resolve));
    const nonce = newNonce();
    socket.send(
      JSON.stringify({ type: 'hello', cluster: 'test', node: self, version: peerProtocolVersion, nonce }),
    );
    await until(() => texts.length === 1);
    const welcome = JSON.parse(texts[0]!) as { proof: string };
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'auth', proof: welcome.proof }));
    expect(await closed).toBe(4001);
    expect(a.transport.counters.refused).toBe(1);
  });

  it('refuses garbage instead of a hello', async () => {
    const a = await startPeer();
    const socket = new WebSocket(`ws://${a.id}/peer`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('\u0000not json');
    expect(await closed).toBe(4001);
    expect(a.transport.counters.refused).toBe(1);
  });
});
