/**
 * `--data DIR` keeps data across restarts of a real node process: after a graceful stop (SIGTERM, which
 * drains, closes WebSockets with 1001 and exits 0) and after a crash (SIGKILL right after the write was
 * acknowledged).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeProcess, stopAllNodeProcesses } from './helpers/node-process.js';
import { openSocket } from './helpers/ws-client.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ringkv-persist-'));
});

afterAll(async () => {
  await stopAllNodeProcesses();
  await rm(dataDir, { recursive: true, force: true });
});

async function write(url: string, method: 'POST' | 'PUT', path: string, value: unknown): Promise<number> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  return response.status;
}

async function read(url: string, key: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/read/${encodeURIComponent(key)}`);
  return { status: response.status, body: await response.json() };
}

describe('--data DIR', () => {
  it('keeps creates, updates and deletes across a graceful restart and a kill -9', async () => {
    const first = await startNodeProcess({ dataDir, args: ['--vnodes', '8'] });
    const port = first.port;
    expect(await write(first.url, 'POST', '/create/kept', { n: 1 })).toBe(201);
    expect(await write(first.url, 'POST', '/create/a%2Fb', 'slash')).toBe(201);
    expect(await write(first.url, 'POST', '/create/gone', 1)).toBe(201);
    expect((await fetch(`${first.url}/delete/gone`, { method: 'DELETE' })).status).toBe(200);
    const client = await openSocket(first.wsUrl);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    // The drain closes client WebSockets with 1001 (going away) before the process exits.
    expect((await client.closed()).code).toBe(1001);
    expect(first.logs().map((line) => line.msg)).toEqual(
      expect.arrayContaining(['serving', 'draining', 'stopped']),
    );

    const second = await startNodeProcess({ dataDir, port, args: ['--vnodes', '8'] });
    expect(await read(second.url, 'kept')).toMatchObject({
      status: 200,
      body: { key: 'kept', value: { n: 1 } },
    });
    expect(await read(second.url, 'a/b')).toMatchObject({ status: 200, body: { value: 'slash' } });
    expect((await read(second.url, 'gone')).status).toBe(404);
    expect(await write(second.url, 'PUT', '/update/kept', { n: 2 })).toBe(200);
    expect(await write(second.url, 'POST', '/create/acknowledged', 'then crash')).toBe(201);
    expect(await second.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const third = await startNodeProcess({ dataDir, port, args: ['--vnodes', '8'] });
    expect(await read(third.url, 'kept')).toMatchObject({ status: 200, body: { value: { n: 2 } } });
    expect(await read(third.url, 'acknowledged')).toMatchObject({
      status: 200,
      body: { value: 'then crash' },
    });
    const nodes = (await (await fetch(`${third.url}/nodes`)).json()) as { nodes: Array<{ keys: number }> };
    expect(nodes.nodes[0]!.keys).toBe(3);
    await third.stop();
  });
});
