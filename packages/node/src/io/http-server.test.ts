import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalNode } from '../local-node.js';
import { MemoryStore } from '../store/memory-store.js';
import { Access } from './auth.js';
import { Dispatcher } from './dispatch.js';
import { buildHttpServer } from './http-server.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { probeTcp } from './probe.js';
import { systemClock } from './system-clock.js';

async function server(dashboardDir: string) {
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
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger(node.nodeId, 'info', silent);
  const metrics = new NodeMetrics({ storeCounts: () => store.counts() });
  const lifecycle = new Lifecycle();
  const access = new Access({
    token: undefined,
    allowOrigins: [],
    host: '127.0.0.1',
    port: 7001,
    advertise: node.nodeId,
  });
  const dispatcher = new Dispatcher(node, metrics, logger);
  const app = await buildHttpServer({ node, dispatcher, access, lifecycle, metrics, logger, dashboardDir });
  return { app, lifecycle };
}

describe('HTTP server (in process, no socket)', () => {
  it('serves a page saying how to build the dashboard when it is not built', async () => {
    const { app, lifecycle } = await server('/nonexistent/dashboard/dist');
    lifecycle.moveTo('serving');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<h1>ringkv</h1>');
    expect(page.body).toContain('pnpm build:dashboard');
    await app.close();
  });

  it('answers 503 UNAVAILABLE on /health and on the API unless serving', async () => {
    const { app, lifecycle } = await server('/nonexistent');
    const starting = await app.inject({ method: 'GET', url: '/health' });
    expect(starting.statusCode).toBe(503);
    expect(starting.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.stringContaining('starting') },
    });
    lifecycle.moveTo('serving');
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
      node: '127.0.0.1:7001',
    });
    lifecycle.moveTo('draining');
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
    const read = await app.inject({ method: 'GET', url: '/read/k' });
    expect(read.statusCode).toBe(503);
    expect(read.json().error).toEqual({ code: 'UNAVAILABLE', message: expect.stringContaining('draining') });
    await app.close();
  });
});
