/**
 * SPEC section 6 on a real node: the token on HTTP and WebSocket, the browser origin check, and the
 * connection and in-flight limits (set low with flags so a test can reach them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from './helpers/node-process.js';
import { openSocket } from './helpers/ws-client.js';

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are what the assertions examine
type Body = any;

const token = 'correct horse battery staple';
const bearer = { authorization: `Bearer ${token}` };
let node: NodeProcess;

beforeAll(async () => {
  node = await startNodeProcess({
    token,
    args: [
      '--memory',
      '--vnodes',
      '8',
      '--allow-origin',
      'http://allowed.example',
      '--connections-max',
      '3',
      '--requests-inflight-max',
      '5',
    ],
  });
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

describe('--token on HTTP', () => {
  it('refuses every endpoint without the token: 401 UNAUTHORIZED', async () => {
    for (const path of [
      '/read/k',
      '/nodes',
      '/ring',
      '/health',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/',
      '/nope',
    ]) {
      const response = await fetch(`${node.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    }
    const wrong = await fetch(`${node.url}/nodes`, { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    const post = await fetch(`${node.url}/create/k`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"value":1}',
    });
    expect(post.status).toBe(401);
  });

  it('serves with Authorization: Bearer', async () => {
    const created = await fetch(`${node.url}/create/secured`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"value":"ok"}',
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${node.url}/health`, { headers: bearer })).status).toBe(200);
  });

  it('accepts ?token= once and remembers it in an HttpOnly, SameSite=Strict cookie for the page assets', async () => {
    const page = await fetch(`${node.url}/docs?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ringkv_token=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await fetch(`${node.url}/docs/assets/init.js`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(asset.status).toBe(200);
  });
});

describe('--token on the WebSocket', () => {
  it('refuses the upgrade without the token: 401 with the JSON error body', async () => {
    const refused = openSocket(node.wsUrl);
    await expect(refused).rejects.toMatchObject({ status: 401 });
    const body = JSON.parse(((await refused.catch((error) => error)) as { body: string }).body);
    expect(body.error.code).toBe('UNAUTHORIZED');
    await expect(openSocket(`${node.wsUrl}?token=wrong`)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the Authorization header or ?token=', async () => {
    for (const socket of [
      await openSocket(node.wsUrl, { headers: bearer }),
      await openSocket(`${node.wsUrl}?token=${encodeURIComponent(token)}`),
    ]) {
      expect(await socket.request({ id: 1, op: 'read', key: 'secured' })).toMatchObject({ ok: true });
      await socket.close();
    }
  });
});

describe('browser origins', () => {
  it('refuses a WebSocket from another origin with 403 FORBIDDEN', async () => {
    const refused = openSocket(node.wsUrl, { headers: bearer, origin: 'http://evil.example' });
    await expect(refused).rejects.toMatchObject({ status: 403 });
    const body = JSON.parse(((await refused.catch((error) => error)) as { body: string }).body);
    expect(body.error).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('evil.example') });
  });

  it("accepts the node's own origin and the --allow-origin list", async () => {
    for (const origin of [node.url, 'http://allowed.example']) {
      const socket = await openSocket(node.wsUrl, { headers: bearer, origin });
      expect(await socket.request({ id: 1, op: 'ring' })).toMatchObject({ ok: true });
      await socket.close();
    }
  });

  it('refuses data changes over HTTP from another origin, allows reads', async () => {
    const evil = { ...bearer, origin: 'http://evil.example', 'content-type': 'application/json' };
    const write = await fetch(`${node.url}/create/csrf`, {
      method: 'POST',
      headers: evil,
      body: '{"value":1}',
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as Body).error.code).toBe('FORBIDDEN');
    expect((await fetch(`${node.url}/read/secured`, { headers: evil })).status).toBe(200);
  });
});

/** The node notices a closed socket a moment after the client does: retry a bounded number of times. */
async function openEventually(url: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openSocket(url, { headers: bearer });
    } catch (error) {
      if (attempt === 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('limits', () => {
  it('refuses WebSocket connections over --connections-max with 503 UNAVAILABLE, and admits again after one closes', async () => {
    const sockets = [];
    // Sockets closed by earlier tests may still be counted for a moment: open eventually.
    for (let i = 0; i < 3; i++) sockets.push(await openEventually(node.wsUrl));
    const refused = openSocket(node.wsUrl, { headers: bearer });
    await expect(refused).rejects.toMatchObject({ status: 503 });
    const body = JSON.parse(((await refused.catch((error) => error)) as { body: string }).body);
    expect(body.error.code).toBe('UNAVAILABLE');
    await sockets.pop()!.close();
    const again = await openEventually(node.wsUrl);
    sockets.push(again);
    expect(await again.request({ id: 1, op: 'nodes' })).toMatchObject({ ok: true });
    for (const socket of sockets) await socket.close();
  });

  it('answers a batch larger than the in-flight limit with UNAVAILABLE for each request, in order', async () => {
    const socket = await openEventually(node.wsUrl);
    const tooMany = Array.from({ length: 6 }, (_, i) => ({ id: i, op: 'read', key: 'secured' }));
    const refused = (await socket.request(tooMany)) as Body[];
    expect(refused.map((reply) => reply.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(refused.every((reply) => reply.error?.code === 'UNAVAILABLE')).toBe(true);
    const fits = (await socket.request(tooMany.slice(1))) as Body[];
    expect(fits.every((reply) => reply.ok)).toBe(true);
    await socket.close();
  });
});
