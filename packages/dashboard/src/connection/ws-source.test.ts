import type { DashboardEvent } from '@ringkv/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reconnectDelayMsMin, requestTimeoutMs } from '../config/limits.js';
import { ClusterError, type ConnectionState } from './cluster-source.js';
import { endpointFor } from './endpoint.js';
import { type SocketLike, type SourceEnvironment, WebSocketClusterSource } from './ws-source.js';

/** A browser WebSocket stand-in (the browser is not ours): records frames, lets the test drive events. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

const endpoint = endpointFor({ protocol: 'http:', host: '127.0.0.1:7001', search: '?token=t' });

function harness(unauthorized = false) {
  const sockets: FakeSocket[] = [];
  const environment: SourceEnvironment = {
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    isUnauthorized: async () => unauthorized,
  };
  const source = new WebSocketClusterSource(endpoint, environment);
  const states: ConnectionState[] = [];
  source.onConnection((state) => states.push(state));
  return { source, sockets, states, latest: () => sockets.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('WebSocketClusterSource', () => {
  it('connects to the page endpoint with the token and subscribes to every topic on open', () => {
    const { source, latest, states } = harness();
    expect(latest().url).toBe('ws://127.0.0.1:7001/ws?token=t');
    latest().open();
    expect(states.at(-1)!.status).toBe('open');
    expect(latest().sent[0]).toMatchObject({ op: 'subscribe', topics: ['ring', 'nodes', 'stats'] });
    source.close();
  });

  it('matches replies to requests by id, and turns error replies into their SPEC code', async () => {
    const { source, latest } = harness();
    latest().open();
    const read = source.request('read', { key: 'k' });
    const missing = source.request('read', { key: 'gone' });
    const [, first, second] = latest().sent;
    expect(first).toMatchObject({ op: 'read', key: 'k' });
    // Replies may arrive in any order.
    latest().receive({
      id: second!.id,
      ok: false,
      error: { code: 'KEY_NOT_FOUND', message: 'key "gone" does not exist' },
    });
    latest().receive({ id: first!.id, ok: true, result: { key: 'k', value: 1, version: 5 } });
    await expect(read).resolves.toEqual({ key: 'k', value: 1, version: 5 });
    await expect(missing).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: 'key "gone" does not exist',
    });
    source.close();
  });

  it('refuses to send while disconnected, and fails a request that gets no reply in time', async () => {
    const { source, latest } = harness();
    await expect(source.request('nodes', {})).rejects.toMatchObject({ code: 'DISCONNECTED' });
    latest().open();
    const silent = source.request('nodes', {});
    const outcome = expect(silent).rejects.toMatchObject({ code: 'NO_REPLY' });
    vi.advanceTimersByTime(requestTimeoutMs + 1);
    await outcome;
    source.close();
  });

  it('delivers valid events and ignores malformed ones and garbage frames', () => {
    const { source, latest } = harness();
    const events: DashboardEvent[] = [];
    source.onEvent((event) => events.push(event));
    latest().open();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    latest().receive({ event: 'nodes', data: { nodes: [{ id: 'a:1', status: 'alive', keys: 3 }] } });
    latest().receive({ event: 'nodes', data: { nodes: [{ id: 'a:1', status: 'sleepy', keys: 3 }] } });
    latest().onmessage?.({ data: '{not json' });
    latest().receive({ id: 999, ok: true, result: {} });
    expect(events).toEqual([{ event: 'nodes', data: { nodes: [{ id: 'a:1', status: 'alive', keys: 3 }] } }]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    source.close();
  });

  it('fails pending requests on a drop, reconnects with backoff and subscribes again', async () => {
    const { source, sockets, latest, states } = harness();
    latest().open();
    const pending = source.request('ring', {});
    const failed = expect(pending).rejects.toBeInstanceOf(ClusterError);
    latest().drop();
    await failed;
    await vi.waitFor(() => expect(states.at(-1)!.status).toBe('reconnecting'));
    expect(states.at(-1)!.attempt).toBe(1);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(reconnectDelayMsMin);
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(states.at(-1)).toMatchObject({ status: 'open', attempt: 0 });
    expect(latest().sent[0]).toMatchObject({ op: 'subscribe' });
    source.close();
    expect(states.at(-1)!.status).toBe('closed');
  });

  it('says unauthorized when the node refuses the page credentials', async () => {
    const { source, latest, states } = harness(true);
    latest().drop();
    await vi.waitFor(() => expect(states.at(-1)!.status).toBe('unauthorized'));
    source.close();
  });
});
