/**
 * RingClient failover and retry rules against raw throwaway `ws` servers (ring-aware routing is off here:
 * it needs real nodes, see packages/client/test/). The rules: a read whose connection drops is re-sent
 * to another node; a write that was sent is not re-sent and fails UNAVAILABLE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { RingClient } from './ring-client.js';

interface RawServer {
  address: string;
  requests: { op: string }[];
  close(): Promise<void>;
}

const servers: RawServer[] = [];
const clients: RingClient[] = [];

/** A server that answers every request `{name}` as its result, or drops the connection when `drop(op)`. */
async function rawServer(
  name: string,
  drop: (op: string) => boolean = () => false,
  port = 0,
): Promise<RawServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((resolve) => server.once('listening', resolve));
  const actual = (server.address() as { port: number }).port;
  const result: RawServer = {
    address: `127.0.0.1:${actual}`,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: WsSocket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      const requests = [frame].flat() as { id: number; op: string }[];
      result.requests.push(...requests);
      if (requests.some((request) => drop(request.op))) {
        socket.terminate();
        return;
      }
      const replies = requests.map((request) => ({
        id: request.id,
        ok: true,
        result: { name, op: request.op },
      }));
      socket.send(JSON.stringify(Array.isArray(frame) ? replies : replies[0]));
    });
  });
  servers.push(result);
  return result;
}

async function connect(urls: string[]): Promise<RingClient> {
  const client = await RingClient.connect(urls, {
    ringAware: false,
    reconnectDelayMsMin: 20,
    reconnectDelayMsMax: 100,
    requestTimeoutMs: 3000,
  });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('RingClient failover', () => {
  it('connects to the first reachable URL in the list', async () => {
    const dead = await rawServer('dead');
    await dead.close();
    const live = await rawServer('live');
    const client = await connect([dead.address, `http://${live.address}`]);
    expect(client.home).toBe(live.address);
    await expect(client.nodes()).resolves.toMatchObject({ name: 'live' });
  });

  it('re-sends a read on another node when its connection drops', async () => {
    const flaky = await rawServer('flaky', (op) => op === 'read');
    const steady = await rawServer('steady');
    const client = await connect([flaky.address, steady.address]);
    expect(client.home).toBe(flaky.address);
    await expect(client.read('k')).resolves.toMatchObject({ name: 'steady', op: 'read' });
    expect(client.counters.retried).toBe(1);
    expect(client.home).toBe(steady.address);
  });

  it('does not re-send a write that was sent: it fails UNAVAILABLE, saying it may have been applied', async () => {
    const flaky = await rawServer('flaky', (op) => op === 'create');
    const steady = await rawServer('steady');
    const client = await connect([flaky.address, steady.address]);
    await expect(client.create('k', 1)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('may have been applied'),
    });
    expect(steady.requests.filter((request) => request.op === 'create')).toHaveLength(0);
    // The next call moves on to the other node.
    await expect(client.update('k', 2)).resolves.toMatchObject({ name: 'steady' });
  });

  it('reconnects when a node comes back, within the request deadline, reporting its state', async () => {
    const first = await rawServer('first');
    const port = Number(first.address.split(':')[1]);
    const client = await connect([first.address]);
    const states: string[] = [];
    client.onState((state) => states.push(state.status));
    expect(client.state).toMatchObject({ status: 'open', home: first.address, attempt: 0 });
    await first.close();
    const call = client.read('k');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await rawServer('again', () => false, port);
    await expect(call).resolves.toMatchObject({ name: 'again' });
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('open');
    client.close();
    expect(client.state.status).toBe('closed');
  });

  it('fails UNAUTHORIZED (not UNAVAILABLE) when the node refuses the token', async () => {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, callback) => callback(false, 401, 'Unauthorized'),
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await expect(RingClient.connect([address], { token: 'wrong', ringAware: false })).rejects.toMatchObject(
        {
          code: 'UNAUTHORIZED',
          message: expect.stringContaining('token=***'),
        },
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails UNAVAILABLE naming the nodes it tried when none answers', async () => {
    const only = await rawServer('only');
    const client = await RingClient.connect([only.address], {
      ringAware: false,
      requestTimeoutMs: 300,
      reconnectDelayMsMin: 20,
      reconnectDelayMsMax: 50,
    });
    clients.push(client);
    await only.close();
    await expect(client.nodes()).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(only.address),
    });
  });

  it('refuses bad input locally with the SPEC code, before sending anything', async () => {
    const server = await rawServer('server');
    const client = await connect([server.address]);
    expect(() => client.read('')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => client.create('k'.repeat(1025), 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => client.addNode('node1')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(server.requests).toHaveLength(0);
  });
});
