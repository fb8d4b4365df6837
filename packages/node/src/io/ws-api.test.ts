import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LocalNode } from '../local-node.js';
import { MemoryStore } from '../store/memory-store.js';
import { Access } from './auth.js';
import { Dispatcher } from './dispatch.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { probeTcp } from './probe.js';
import { systemClock } from './system-clock.js';
import { attachUpgradeRouter } from './upgrade-router.js';
import { createWsApi, type WsApi } from './ws-api.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The client WebSocket API on a real socket (port 0), in this process, with a given heartbeat. */
async function serve(
  heartbeatIntervalMs: number,
): Promise<{ url: string; api: WsApi; metrics: NodeMetrics }> {
  const store = new MemoryStore();
  const node = new LocalNode({
    nodeId: '127.0.0.1:7001',
    store,
    clock: systemClock,
    vnodes: 4,
    replicationFactor: 3,
    sampleOps: () => ({}),
    probe: (address) => probeTcp(address, 100),
    statsIntervalMs: 1_000,
  });
  const logger = createLogger(node.nodeId, 'info', new Writable({ write: (_c, _e, done) => done() }));
  const metrics = new NodeMetrics({ storeCounts: () => store.counts() });
  const lifecycle = new Lifecycle();
  lifecycle.moveTo('serving');
  const access = new Access({
    token: undefined,
    allowOrigins: [],
    host: '127.0.0.1',
    port: 7001,
    advertise: node.nodeId,
  });
  const dispatcher = new Dispatcher(node, metrics, logger);
  const api = createWsApi({
    node,
    dispatcher,
    access,
    lifecycle,
    metrics,
    logger,
    connectionsMax: 10,
    requestsInflightMax: 10,
    heartbeatIntervalMs,
  });
  const server: Server = createServer();
  attachUpgradeRouter(server, [api]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await api.close(1_000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/ws`, api, metrics };
}

function open(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('client WebSocket heartbeat', () => {
  it('cuts a client that stops answering pings and keeps one that answers', async () => {
    const { url, api, metrics } = await serve(1_000);
    const silent = await open(url, { autoPong: false });
    const lively = await open(url);
    const silentClosed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    // Two beats: the first pings, the second finds no pong and terminates (no close frame: 1006).
    expect(await silentClosed).toBe(1006);
    expect(lively.readyState).toBe(WebSocket.OPEN);
    const reply = new Promise<string>((resolve) =>
      lively.once('message', (data) => resolve(data.toString())),
    );
    lively.send(JSON.stringify({ id: 1, op: 'ring' }));
    expect(JSON.parse(await reply)).toMatchObject({ id: 1, ok: true });
    expect(api.connectionCount).toBe(1);
    expect((await metrics.text()).body).toContain('ringkv_rejected_total{reason="heartbeat_timeout"} 1');
    lively.close();
  });
});
