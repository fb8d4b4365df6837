/**
 * Client mechanics (batching, pipelining, backpressure, deadlines, dropped connections) against a raw
 * throwaway `ws` server that answers however each test needs. Behaviour against real nodes is tested in
 * packages/client/test/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { Connection, type ConnectionOptions } from './connection.js';
import { ConnectionLostError } from './errors.js';
import { requestText } from './request-text.js';
import type { WebSocketConstructor } from './websocket.js';

interface RawServer {
  url: string;
  frames: unknown[];
  sockets: WsSocket[];
  close(): Promise<void>;
}

type Handler = (socket: WsSocket, frame: unknown) => void;

/** Echoes `{ok: true, result: {echo: request}}` for every request unless the test's handler says otherwise. */
const echo: Handler = (socket, frame) => {
  const reply = (request: { id: number }) => ({ id: request.id, ok: true, result: { echo: request } });
  const replies = Array.isArray(frame) ? frame.map(reply) : reply(frame as { id: number });
  socket.send(JSON.stringify(replies));
};

const servers: RawServer[] = [];

async function rawServer(handler: Handler = echo): Promise<RawServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  const result: RawServer = {
    url: `ws://127.0.0.1:${port}/ws`,
    frames: [],
    sockets: [],
    close: () =>
      new Promise((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket) => {
    result.sockets.push(socket);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      result.frames.push(frame);
      handler(socket, frame);
    });
  });
  servers.push(result);
  return result;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const options: ConnectionOptions = {
  inflightMax: 100,
  waitersMax: 1000,
  batchRequestsMax: 1000,
  batchCharsMax: 1 << 22,
};

function open(url: string, overrides: Partial<ConnectionOptions> = {}): Promise<Connection> {
  return Connection.open(url, WebSocket as unknown as WebSocketConstructor, 2000, {
    ...options,
    ...overrides,
  });
}

const soon = () => Date.now() + 5000;

describe('Connection', () => {
  it('sends requests made in the same turn as one batch frame and matches replies by id', async () => {
    const server = await rawServer();
    const connection = await open(server.url);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((key) => connection.request({ op: 'read', key }, soon())),
    );
    expect(results.map((result) => (result as { echo: { key: string } }).echo.key)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(server.frames).toHaveLength(1);
    expect(server.frames[0]).toHaveLength(5);
    expect(connection.counters).toMatchObject({ framesSent: 1, batchFramesSent: 1, requestsSent: 5 });
    connection.close();
  });

  it('sends a lone request as a plain object, not a batch', async () => {
    const server = await rawServer();
    const connection = await open(server.url);
    await connection.request({ op: 'nodes' }, soon());
    expect(server.frames[0]).toMatchObject({ op: 'nodes' });
    expect(Array.isArray(server.frames[0])).toBe(false);
    connection.close();
  });

  it('splits a large turn into frames of at most batchRequestsMax requests', async () => {
    const server = await rawServer();
    const connection = await open(server.url, { batchRequestsMax: 3 });
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => connection.request({ op: 'read', key: `k${i}` }, soon())),
    );
    const sizes = server.frames.map((frame) => (Array.isArray(frame) ? frame.length : 1));
    expect(sizes).toEqual([3, 3, 1]);
    connection.close();
  });

  it('matches replies that arrive in another order than the requests', async () => {
    const server = await rawServer((socket, frame) => {
      const requests = frame as { id: number; key: string }[];
      for (const request of [...requests].reverse()) {
        socket.send(JSON.stringify({ id: request.id, ok: true, result: { key: request.key } }));
      }
    });
    const connection = await open(server.url);
    const results = await Promise.all(
      ['x', 'y', 'z'].map((key) => connection.request({ op: 'read', key }, soon())),
    );
    expect(results).toEqual([{ key: 'x' }, { key: 'y' }, { key: 'z' }]);
    connection.close();
  });

  it('rejects with the reply error code as a RingKvError', async () => {
    const server = await rawServer((socket, frame) => {
      const { id } = frame as { id: number };
      socket.send(
        JSON.stringify({
          id,
          ok: false,
          error: { code: 'KEY_NOT_FOUND', message: 'key "q" does not exist' },
        }),
      );
    });
    const connection = await open(server.url);
    await expect(connection.request({ op: 'read', key: 'q' }, soon())).rejects.toMatchObject({
      name: 'RingKvError',
      code: 'KEY_NOT_FOUND',
      message: 'key "q" does not exist',
    });
    connection.close();
  });

  it('keeps at most inflightMax requests outstanding; later callers wait for a slot', async () => {
    const held: { socket: WsSocket; id: number }[] = [];
    const server = await rawServer((socket, frame) => {
      for (const request of [frame].flat() as { id: number }[]) held.push({ socket, id: request.id });
    });
    const connection = await open(server.url, { inflightMax: 2 });
    const calls = Array.from({ length: 5 }, (_, i) =>
      connection.request({ op: 'read', key: `k${i}` }, soon()),
    );
    await waitFor(() => held.length === 2);
    expect(connection.waiting).toBe(3);
    // Answering one lets exactly one more through.
    const first = held.shift()!;
    first.socket.send(JSON.stringify({ id: first.id, ok: true, result: 1 }));
    await waitFor(() => held.length === 2);
    expect(connection.waiting).toBe(2);
    // Answer everything as it comes.
    for (let round = 0; round < 10 && (held.length > 0 || connection.waiting > 0); round++) {
      for (const entry of held.splice(0))
        entry.socket.send(JSON.stringify({ id: entry.id, ok: true, result: 1 }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(Promise.all(calls)).resolves.toHaveLength(5);
    connection.close();
  });

  it('fails a caller still waiting for a slot with TIMEOUT at its deadline, and one past waitersMax with UNAVAILABLE at once', async () => {
    const held: { socket: WsSocket; id: number }[] = [];
    const server = await rawServer((socket, frame) => {
      for (const request of [frame].flat() as { id: number }[]) held.push({ socket, id: request.id });
    });
    const connection = await open(server.url, { inflightMax: 1, waitersMax: 1 });
    const first = connection.request({ op: 'read', key: 'a' }, soon());
    const waiting = connection.request({ op: 'read', key: 'b' }, Date.now() + 100);
    await expect(connection.request({ op: 'read', key: 'c' }, soon())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'client queue full: 1 requests wait for a slot',
    });
    expect(connection.waiting).toBe(1);
    await expect(waiting).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('no free request slot'),
    });
    // The timed-out caller never took a slot: the first request's reply frees it, and the next one goes.
    await waitFor(() => held.length === 1);
    const only = held.shift()!;
    only.socket.send(JSON.stringify({ id: only.id, ok: true, result: 1 }));
    await expect(first).resolves.toBe(1);
    const next = connection.request({ op: 'read', key: 'd' }, soon());
    await waitFor(() => held.length === 1);
    expect(server.frames).toHaveLength(2);
    const last = held.shift()!;
    last.socket.send(JSON.stringify({ id: last.id, ok: true, result: 2 }));
    await expect(next).resolves.toBe(2);
    connection.close();
  });

  it("sends a turn's writes first and its reads in a batch of their own, answered while the writes wait", async () => {
    const heldWrites: { socket: WsSocket; id: number }[] = [];
    const server = await rawServer((socket, frame) => {
      const requests = [frame].flat() as { id: number; op: string; key: string }[];
      const replies = [];
      for (const request of requests) {
        if (request.op === 'read') replies.push({ id: request.id, ok: true, result: `read ${request.key}` });
        else heldWrites.push({ socket, id: request.id });
      }
      // A batch is answered by one frame of replies in its order: only an all-read batch can go at once.
      if (replies.length === requests.length) {
        socket.send(JSON.stringify(Array.isArray(frame) ? replies : replies[0]));
      }
    });
    const connection = await open(server.url, { readsApart: () => true });
    const firstRead = connection.request({ op: 'read', key: 'a' }, soon());
    const update = connection.request({ op: 'update', key: 'a', value: 1 }, soon());
    const create = connection.request({ op: 'create', key: 'b', value: 2 }, soon());
    const secondRead = connection.request({ op: 'read', key: 'c' }, soon());
    await expect(Promise.all([firstRead, secondRead])).resolves.toEqual(['read a', 'read c']);
    const ops = (frame: unknown) => ([frame].flat() as { op: string }[]).map((request) => request.op);
    expect(server.frames.map(ops)).toEqual([
      ['update', 'create'],
      ['read', 'read'],
    ]);
    expect(heldWrites).toHaveLength(2);
    const [first, second] = heldWrites;
    first!.socket.send(
      JSON.stringify([
        { id: first!.id, ok: true, result: 'u' },
        { id: second!.id, ok: true, result: 'c' },
      ]),
    );
    await expect(Promise.all([update, create])).resolves.toEqual(['u', 'c']);
    connection.close();
  });

  it('sends reads and writes of a turn in one batch unless reads go apart (writes answered at once)', async () => {
    const server = await rawServer((socket, frame) => {
      const requests = [frame].flat() as { id: number }[];
      socket.send(
        JSON.stringify(requests.map((request) => ({ id: request.id, ok: true, result: request.id }))),
      );
    });
    let apart = false;
    const connection = await open(server.url, { readsApart: () => apart });
    const calls = [
      connection.request({ op: 'read', key: 'a' }, soon()),
      connection.request({ op: 'update', key: 'a', value: 1 }, soon()),
    ];
    await Promise.all(calls);
    expect(server.frames).toHaveLength(1);
    apart = true;
    await Promise.all([
      connection.request({ op: 'read', key: 'a' }, soon()),
      connection.request({ op: 'update', key: 'a', value: 2 }, soon()),
    ]);
    expect(server.frames).toHaveLength(3);
    connection.close();
  });

  it('expires waiters by their own deadlines, in any order, lets the live one in, and fails the rest on close', async () => {
    const held: { socket: WsSocket; id: number; key: string }[] = [];
    const server = await rawServer((socket, frame) => {
      for (const request of [frame].flat() as { id: number; key: string }[]) {
        held.push({ socket, id: request.id, key: request.key });
      }
    });
    const connection = await open(server.url, { inflightMax: 1, waitersMax: 2 });
    const first = connection.request({ op: 'read', key: 'a' }, soon());
    // Queued first with the later deadline: the timer must not wait for it to expire the one behind.
    const patient = connection.request({ op: 'read', key: 'b' }, Date.now() + 10_000);
    const hasty = connection.request({ op: 'read', key: 'c' }, Date.now() + 100);
    await expect(hasty).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(connection.waiting).toBe(1);
    // The expired waiter no longer counts against waitersMax: two may wait again.
    const third = connection.request({ op: 'read', key: 'd' }, soon());
    expect(connection.waiting).toBe(2);
    await waitFor(() => held.length === 1);
    const a = held.shift()!;
    a.socket.send(JSON.stringify({ id: a.id, ok: true, result: 'A' }));
    await expect(first).resolves.toBe('A');
    // The slot goes to the oldest live waiter, past the expired one.
    await waitFor(() => held.length === 1);
    expect(held[0]!.key).toBe('b');
    expect(connection.waiting).toBe(1);
    connection.close();
    await expect(patient).rejects.toMatchObject({ code: 'UNAVAILABLE', sent: true });
    await expect(third).rejects.toMatchObject({ code: 'UNAVAILABLE', sent: false });
    expect(connection.waiting).toBe(0);
  });

  it('fails a request with TIMEOUT when no reply comes before its deadline, and ignores the late reply', async () => {
    let pendingReply: (() => void) | undefined;
    const server = await rawServer((socket, frame) => {
      const { id } = frame as { id: number };
      pendingReply = () => socket.send(JSON.stringify({ id, ok: true, result: 'late' }));
    });
    const connection = await open(server.url);
    await expect(connection.request({ op: 'read', key: 'slow' }, Date.now() + 100)).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(connection.inflight).toBe(0);
    pendingReply?.();
    await waitFor(() => connection.counters.repliesUnmatched === 1);
    connection.close();
  });

  it('fails outstanding requests with ConnectionLostError (sent: true) when the node drops the connection', async () => {
    const server = await rawServer((socket) => socket.terminate());
    const connection = await open(server.url);
    const error = await connection
      .request({ op: 'create', key: 'k', value: 1 }, soon())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', sent: true });
    expect(connection.isOpen).toBe(false);
    await expect(connection.request({ op: 'nodes' }, soon())).rejects.toMatchObject({ sent: false });
  });

  it('requestInto hands each outcome to its sink slot: answers, reply errors, deadlines and a closed connection', async () => {
    const server = await rawServer((socket, frame) => {
      const reply = (request: { id: number; key: string }) =>
        request.key === 'bad'
          ? { id: request.id, ok: false, error: { code: 'BAD_REQUEST', message: 'no' } }
          : request.key === 'slow'
            ? undefined
            : { id: request.id, ok: true, result: { key: request.key } };
      const replies = (frame as Array<{ id: number; key: string }>).map(reply).filter(Boolean);
      socket.send(JSON.stringify(replies));
    });
    const connection = await open(server.url);
    const outcomes: string[] = [];
    let settled = 0;
    const sink = {
      answer: (slot: number, result: unknown) => {
        outcomes[slot] = `answer ${(result as { key: string }).key}`;
        settled++;
      },
      fail: (slot: number, error: Error) => {
        outcomes[slot] = `fail ${(error as { code?: string }).code}`;
        settled++;
      },
    };
    connection.requestInto({ op: 'read_replica', key: 'a' }, soon(), sink, 0);
    connection.requestInto({ op: 'read_replica', key: 'bad' }, soon(), sink, 1);
    connection.requestInto({ op: 'read_replica', key: 'slow' }, Date.now() + 100, sink, 2);
    await waitFor(() => settled === 3);
    expect(outcomes).toEqual(['answer a', 'fail BAD_REQUEST', 'fail TIMEOUT']);
    expect(server.frames).toHaveLength(1);
    connection.close();
    connection.requestInto({ op: 'read_replica', key: 'late' }, soon(), sink, 3);
    expect(outcomes[3]).toBe('fail UNAVAILABLE');
    expect(settled).toBe(4);
  });

  it('rejects UNAVAILABLE when nothing listens', async () => {
    const server = await rawServer();
    const url = server.url;
    await server.close();
    await expect(open(url)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('requestText', () => {
  it('splices data requests from their fields, with the value as the caller encoded it', () => {
    const key = 'k "quoted" \\ \u00e9';
    const update = requestText(7, { op: 'update', key, value: { a: 1 }, consistency: 'all' }, '{"a": 1}');
    expect(update).toBe(
      `{"id":7,"op":"update","key":${JSON.stringify(key)},"value":{"a": 1},"consistency":"all"}`,
    );
    expect(JSON.parse(update)).toEqual({
      id: 7,
      op: 'update',
      key,
      value: { a: 1 },
      consistency: 'all',
    });
    // Without pre-encoded text the value is encoded here; reads carry no value.
    expect(JSON.parse(requestText(8, { op: 'create', key: 'k', value: [1] }, undefined))).toEqual({
      id: 8,
      op: 'create',
      key: 'k',
      value: [1],
    });
    expect(JSON.parse(requestText(9, { op: 'read', key: 'k' }, undefined))).toEqual({
      id: 9,
      op: 'read',
      key: 'k',
    });
  });

  it('serialises other requests whole', () => {
    const text = requestText(3, { op: 'subscribe', topics: ['ring'] }, undefined);
    expect(JSON.parse(text)).toEqual({ id: 3, op: 'subscribe', topics: ['ring'] });
  });
});
