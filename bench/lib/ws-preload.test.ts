import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { keyAt } from './keys.js';
import { preloadWs } from './ws-preload.js';

type Answer = (key: string, attempt: number) => 'ok' | 'KEY_EXISTS' | 'UNAVAILABLE';

const servers: WebSocketServer[] = [];

/** A real ws server answering batch frames of creates with the outcome `answer` picks per key and attempt. */
async function startServer(answer: Answer): Promise<{ url: string; attempts: Map<string, number> }> {
  const attempts = new Map<string, number>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const requests = JSON.parse(data.toString()) as Array<{ id: number; key: string }>;
      const replies = requests.map(({ id, key }) => {
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const outcome = answer(key, attempt);
        if (outcome === 'ok') return { id, ok: true, result: { key } };
        return { id, ok: false, error: { code: outcome, message: outcome } };
      });
      socket.send(JSON.stringify(replies));
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, attempts };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const base = { valueJson: '"v"', batchSize: 7, connections: 3, timeoutMs: 10_000 };

describe('preloadWs', () => {
  it('loads every key once when the target accepts them, KEY_EXISTS counting as loaded', async () => {
    const { url, attempts } = await startServer((key) => (key === keyAt(5) ? 'KEY_EXISTS' : 'ok'));
    const result = await preloadWs({ ...base, urls: [url], count: 50 });
    expect(result).toMatchObject({ keys: 50, failures: 0 });
    expect([...attempts.values()].every((count) => count === 1)).toBe(true);
    expect(attempts.size).toBe(50);
  });

  it('re-sends keys that failed while the target settled', async () => {
    const { url, attempts } = await startServer((_key, attempt) => (attempt === 1 ? 'UNAVAILABLE' : 'ok'));
    const result = await preloadWs({ ...base, urls: [url], count: 20 });
    expect(result.failures).toBe(0);
    expect([...attempts.values()].every((count) => count === 2)).toBe(true);
  });

  it('gives up on a key after a bounded number of rounds and reports it with a sample', async () => {
    const { url, attempts } = await startServer((key) => (key === keyAt(3) ? 'UNAVAILABLE' : 'ok'));
    const result = await preloadWs({ ...base, urls: [url], count: 10 });
    expect(result.failures).toBe(1);
    expect(result.failureSample).toContain('UNAVAILABLE');
    expect(attempts.get(keyAt(3))).toBe(5);
  });
});
