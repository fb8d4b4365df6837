import { request as httpRequest } from 'node:http';
/**
 * Issue 2, item 7: bad input at every edge of a real node gets the SPEC error code and a message naming
 * the field, and nothing crashes the node. The last test checks the node is still healthy after all of it.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from './helpers/node-process.js';
import { openSocket, type TestSocket } from './helpers/ws-client.js';

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are what the assertions examine
type Body = any;

const MiB = 1024 * 1024;
let node: NodeProcess;

beforeAll(async () => {
  node = await startNodeProcess({ args: ['--memory', '--vnodes', '8'] });
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

async function send(
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; json: Body }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = body;
    init.headers = { 'content-type': contentType };
  }
  const response = await fetch(`${node.url}${path}`, init);
  return { status: response.status, json: JSON.parse(await response.text()) };
}

/**
 * POST a body the node refuses by its Content-Length: the node may answer 413 and close before the body is
 * all sent (HTTP allows an early response), so a write error after the response arrived is not a failure.
 * fetch reports that race as "fetch failed" (EPIPE) and hides the response; node:http shows both.
 */
function sendOversized(path: string, body: string): Promise<{ status: number; json: Body }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${node.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const earlyClose = error.code === 'EPIPE' || error.code === 'ECONNRESET';
      if (!(answered && earlyClose)) reject(error);
    });
    request.end(body);
  });
}

function expectError(result: { status: number; json: Body }, status: number, code: string, mentions: string) {
  expect(result.status).toBe(status);
  expect(result.json).toEqual({ error: { code, message: expect.any(String) } });
  expect(result.json.error.message).toContain(mentions);
}

describe('HTTP: keys', () => {
  it('refuses an empty key', async () => {
    expectError(await send('GET', '/read/'), 400, 'BAD_REQUEST', 'key');
    expectError(await send('POST', '/create/', '{"value":1}'), 400, 'BAD_REQUEST', 'key');
  });

  it('refuses keys over 1024 UTF-8 bytes with TOO_LARGE, accepts exactly 1024', async () => {
    expect((await send('POST', `/create/${'k'.repeat(1024)}`, '{"value":1}')).status).toBe(201);
    expectError(await send('GET', `/read/${'k'.repeat(1025)}`), 413, 'TOO_LARGE', 'key');
    expectError(await send('GET', `/read/${encodeURIComponent('é'.repeat(513))}`), 413, 'TOO_LARGE', 'key');
  });

  it('refuses invalid percent-encoding naming the key (or node)', async () => {
    expectError(await send('GET', '/read/%zz'), 400, 'BAD_REQUEST', 'key');
    expectError(await send('GET', '/read/%E2%82'), 400, 'BAD_REQUEST', 'key');
    expectError(await send('DELETE', '/delete/a%'), 400, 'BAD_REQUEST', 'key');
    expectError(await send('POST', '/add_node/%zz'), 400, 'BAD_REQUEST', 'node');
  });

  it('refuses a path over the limit, and a request line over what HTTP allows', async () => {
    expectError(await send('GET', `/read/${'k'.repeat(9000)}`), 413, 'TOO_LARGE', 'path');
    const raw = await rawHttp(`GET /read/${'k'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1.1 413/);
    expect(raw).toContain('"code":"TOO_LARGE"');
  });
});

describe('HTTP: bodies', () => {
  it('refuses non-JSON bodies, wrong content types and empty bodies', async () => {
    expectError(await send('POST', '/create/b1', '{"value":'), 400, 'BAD_REQUEST', 'JSON');
    expectError(
      await send('POST', '/create/b1', 'value=1', 'application/x-www-form-urlencoded'),
      400,
      'BAD_REQUEST',
      'Content-Type',
    );
    expectError(
      await send('POST', '/create/b1', '{"value":1}', 'text/plain'),
      400,
      'BAD_REQUEST',
      'Content-Type',
    );
    expectError(await send('POST', '/create/b1', ''), 400, 'BAD_REQUEST', 'body');
  });

  it('refuses a missing value and bodies that are not objects', async () => {
    expectError(await send('POST', '/create/b1', '{}'), 400, 'BAD_REQUEST', 'value');
    expectError(await send('PUT', '/update/b1', '{"valeu":1}'), 400, 'BAD_REQUEST', 'value');
    for (const body of ['[1]', '"text"', '7', 'null']) {
      expectError(await send('POST', '/create/b1', body), 400, 'BAD_REQUEST', 'body');
    }
  });

  it('refuses values over 1 MiB with TOO_LARGE and accepts exactly 1 MiB', async () => {
    const exact = 'x'.repeat(MiB - 2);
    expect((await send('POST', '/create/big-ok', JSON.stringify({ value: exact }))).status).toBe(201);
    expectError(
      await send('POST', '/create/big', JSON.stringify({ value: `${exact}x` })),
      413,
      'TOO_LARGE',
      'value',
    );
    expectError(
      await sendOversized('/create/huge', JSON.stringify({ value: 'x'.repeat(3 * MiB) })),
      413,
      'TOO_LARGE',
      'body',
    );
  });

  it('refuses wrong types in the query', async () => {
    expectError(await send('GET', '/read/b1?consistency=5'), 400, 'BAD_REQUEST', 'consistency');
    expectError(
      await send('GET', '/read/b1?consistency=one&consistency=all'),
      400,
      'BAD_REQUEST',
      'consistency',
    );
  });
});

describe('WebSocket: frames', () => {
  let socket: TestSocket;
  beforeAll(async () => {
    socket = await openSocket(node.wsUrl);
  });
  afterAll(async () => {
    await socket.close();
  });

  it('answers non-JSON frames with id null and keeps the connection open', async () => {
    for (const text of ['not json', '{', '', '"a string"', '42', 'null']) {
      const reply: Body = await socket.request(text);
      expect(reply, text).toEqual({
        id: null,
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.any(String) },
      });
    }
    expect(((await socket.request({ id: 1, op: 'ring' })) as Body).ok).toBe(true);
  });

  it('answers an unknown op, wrong types and missing fields naming the field, with the id', async () => {
    const cases: Array<[unknown, string]> = [
      [{ id: 1, op: 'frobnicate', key: 'k' }, 'op'],
      [{ id: 2, key: 'k' }, 'op'],
      [{ id: 3, op: 'read' }, 'key'],
      [{ id: 4, op: 'read', key: 7 }, 'key'],
      [{ id: 5, op: 'read', key: '' }, 'key'],
      [{ id: 6, op: 'create', key: 'k' }, 'value'],
      [{ id: 7, op: 'read', key: 'k', consistency: 'most' }, 'consistency'],
      [{ id: 8, op: 'subscribe', topics: ['weather'] }, 'topics'],
      [{ id: 9, op: 'add_node', node: 'node1' }, 'HOST:PORT'],
      [{ id: 10, op: 'add_node' }, 'node'],
    ];
    for (const [request, field] of cases) {
      const reply: Body = await socket.request(request);
      expect(reply.ok, JSON.stringify(request)).toBe(false);
      expect(reply.id).toBe((request as { id: number }).id);
      expect(reply.error.code).toBe('BAD_REQUEST');
      expect(reply.error.message).toContain(field);
    }
    const badId: Body = await socket.request({ id: { nested: true }, op: 'ring' });
    expect(badId).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('answers oversized keys and values with TOO_LARGE', async () => {
    const longKey: Body = await socket.request({ id: 1, op: 'read', key: 'k'.repeat(1025) });
    expect(longKey.error.code).toBe('TOO_LARGE');
    const bigValue: Body = await socket.request({ id: 2, op: 'create', key: 'v', value: 'x'.repeat(MiB) });
    expect(bigValue.error).toEqual({ code: 'TOO_LARGE', message: expect.stringContaining('value') });
  });

  it('answers a batch over 1000 with TOO_LARGE and an empty batch with BAD_REQUEST', async () => {
    const over = Array.from({ length: 1001 }, (_, i) => ({ id: i, op: 'ring' }));
    expect(await socket.request(over)).toMatchObject({ id: null, ok: false, error: { code: 'TOO_LARGE' } });
    expect(await socket.request([])).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('answers a binary frame with BAD_REQUEST and stays open', async () => {
    const reply: Body = await socket.request(Buffer.from('{"id":1,"op":"ring"}'));
    expect(reply).toEqual({
      id: null,
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('binary') },
    });
    expect(((await socket.request({ id: 2, op: 'nodes' })) as Body).ok).toBe(true);
  });

  it('closes the connection with 1009 on a frame over 16 MiB', async () => {
    const victim = await openSocket(node.wsUrl);
    victim.send('x'.repeat(16 * MiB + 1));
    expect((await victim.closed(30_000)).code).toBe(1009);
  });

  it('closes the connection with 1007 on a text frame that is not UTF-8', async () => {
    const victim = await openSocket(node.wsUrl);
    // Send invalid UTF-8 bytes as a *text* frame: ws would refuse to build one from a string.
    victim.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await victim.closed()).code).toBe(1007);
  });

  it('refuses WebSocket upgrades on other paths with a JSON error', async () => {
    await expect(openSocket(`${node.url.replace('http', 'ws')}/nope`)).rejects.toMatchObject({ status: 400 });
  });
});

describe('after all of it', () => {
  it('the node is still healthy and serving', async () => {
    expect(node.child.exitCode).toBeNull();
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
    const socket = await openSocket(node.wsUrl);
    expect(await socket.request({ id: 1, op: 'read', key: 'big-ok' })).toMatchObject({ ok: true });
    await socket.close();
    expect(node.stderr()).not.toMatch(/unhandled|uncaught/i);
  });
});

function rawHttp(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: node.host, port: node.port }, () => socket.write(request));
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString();
    });
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}
