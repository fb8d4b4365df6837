/**
 * SPEC section 2 against a real `ringkv node` process, with plain fetch: every endpoint, its success
 * status and body, and its error paths.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from './helpers/node-process.js';

let node: NodeProcess;

beforeAll(async () => {
  node = await startNodeProcess({ args: ['--memory', '--vnodes', '16'] });
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are what the assertions examine
type Body = any;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Body }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(`${node.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, json: text.length > 0 ? JSON.parse(text) : undefined };
}

const key = (text: string) => encodeURIComponent(text);

describe('data operations', () => {
  it('create answers 201 with the record, then KEY_EXISTS 409', async () => {
    const created = await call('POST', `/create/${key('user:42')}`, { value: { name: 'Ada' } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ key: 'user:42', value: { name: 'Ada' }, version: expect.any(Number) });
    const again = await call('POST', `/create/${key('user:42')}`, { value: 1 });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('KEY_EXISTS');
    expect(again.json.error.message).toContain('user:42');
  });

  it('read answers the record, KEY_NOT_FOUND 404 for a missing key', async () => {
    await call('POST', `/create/${key('r1')}`, { value: [1, 'two', null] });
    const read = await call('GET', `/read/${key('r1')}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ key: 'r1', value: [1, 'two', null] });
    const missing = await call('GET', `/read/${key('no-such-key')}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 'KEY_NOT_FOUND', message: expect.stringContaining('no-such-key') },
    });
  });

  it('update replaces the value with a newer version; KEY_NOT_FOUND for a missing key', async () => {
    const created = await call('POST', `/create/${key('u1')}`, { value: 'old' });
    const updated = await call('PUT', `/update/${key('u1')}`, { value: 'new' });
    expect(updated.status).toBe(200);
    expect(updated.json.value).toBe('new');
    expect(updated.json.version).toBeGreaterThan(created.json.version);
    expect((await call('GET', `/read/${key('u1')}`)).json.value).toBe('new');
    const missing = await call('PUT', `/update/${key('u-missing')}`, { value: 1 });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('KEY_NOT_FOUND');
  });

  it('delete answers {key, deleted: true}; the key is gone and can be created again', async () => {
    await call('POST', `/create/${key('d1')}`, { value: 1 });
    const deleted = await call('DELETE', `/delete/${key('d1')}`);
    expect(deleted).toEqual({ status: 200, json: { key: 'd1', deleted: true } });
    expect((await call('GET', `/read/${key('d1')}`)).status).toBe(404);
    const twice = await call('DELETE', `/delete/${key('d1')}`);
    expect(twice.status).toBe(404);
    expect(twice.json.error.code).toBe('KEY_NOT_FOUND');
    expect((await call('POST', `/create/${key('d1')}`, { value: 2 })).status).toBe(201);
  });

  it('keeps keys with %2F, unicode and spaces intact', async () => {
    for (const name of ['a/b/c', 'ключ €', 'with space?&#=', '%41']) {
      const created = await call('POST', `/create/${key(name)}`, { value: name });
      expect(created.status, name).toBe(201);
      expect(created.json.key).toBe(name);
      expect((await call('GET', `/read/${key(name)}`)).json.value).toBe(name);
    }
  });

  it('stores every kind of JSON value, including null, false and a __proto__ key', async () => {
    const values = [null, false, 0, '', [], {}, { __proto__: 1, nested: { deep: [1.5, -2e-7] } }];
    for (const [index, value] of values.entries()) {
      const body = `{"value":${index === 6 ? '{"__proto__":1,"nested":{"deep":[1.5,-2e-7]}}' : JSON.stringify(value)}}`;
      const response = await fetch(`${node.url}/create/${key(`v${index}`)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status, body).toBe(201);
      const read = await (await fetch(`${node.url}/read/v${index}`)).text();
      expect(read).toContain(`"value":${JSON.stringify(JSON.parse(body).value)}`);
    }
  });

  it('takes ?consistency=one|quorum|all and refuses other levels naming the field', async () => {
    await call('POST', `/create/${key('c1')}?consistency=all`, { value: 1 });
    for (const level of ['one', 'quorum', 'all']) {
      expect((await call('GET', `/read/c1?consistency=${level}`)).status).toBe(200);
    }
    const bad = await call('GET', '/read/c1?consistency=most');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('consistency') });
  });
});

describe('cluster operations on a single node', () => {
  it('get_node names this node as primary and the whole preference list', async () => {
    const owner = await call('GET', `/get_node/${key('any/key')}`);
    expect(owner).toEqual({
      status: 200,
      json: { key: 'any/key', node: node.address, replicas: [node.address] },
    });
  });

  it('add_node: a bare name is 400 saying HOST:PORT, itself is NODE_EXISTS, nothing there is NODE_UNREACHABLE', async () => {
    const bare = await call('POST', '/add_node/node1');
    expect(bare.status).toBe(400);
    expect(bare.json.error.code).toBe('BAD_REQUEST');
    expect(bare.json.error.message).toContain('HOST:PORT');
    const itself = await call('POST', `/add_node/${node.address}`);
    expect(itself.status).toBe(409);
    expect(itself.json.error.code).toBe('NODE_EXISTS');
    // Port 1 on loopback: nothing listens there (it would need root).
    const nobody = await call('POST', '/add_node/127.0.0.1:1');
    expect(nobody.status).toBe(502);
    expect(nobody.json.error.code).toBe('NODE_UNREACHABLE');
  });

  it('remove_node: the last node is CONFLICT, a stranger NODE_NOT_FOUND', async () => {
    const last = await call('DELETE', `/remove_node/${node.address}`);
    expect(last.status).toBe(409);
    expect(last.json.error.code).toBe('CONFLICT');
    const stranger = await call('DELETE', '/remove_node/127.0.0.1:2');
    expect(stranger.status).toBe(404);
    expect(stranger.json.error.code).toBe('NODE_NOT_FOUND');
    expect((await call('DELETE', '/remove_node/node1')).json.error.code).toBe('BAD_REQUEST');
  });

  it('nodes lists this node alive with its key count', async () => {
    const before = await call('GET', '/nodes');
    expect(before.status).toBe(200);
    expect(before.json.nodes).toEqual([
      expect.objectContaining({ id: node.address, status: 'alive', keys: expect.any(Number) }),
    ]);
    await call('POST', `/create/${key('count-me')}`, { value: 1 });
    expect((await call('GET', '/nodes')).json.nodes[0].keys).toBe(before.json.nodes[0].keys + 1);
  });

  it('ring has the epoch, vnodes, replication factor and every token of this node', async () => {
    const ring = await call('GET', '/ring');
    expect(ring.status).toBe(200);
    expect(ring.json).toMatchObject({ epoch: expect.any(Number), vnodes: 16, replicationFactor: 3 });
    expect(ring.json.tokens).toHaveLength(16);
    expect(ring.json.tokens.every((entry: { node: string }) => entry.node === node.address)).toBe(true);
    const tokens = ring.json.tokens.map((entry: { token: number }) => entry.token);
    expect(tokens).toEqual([...tokens].sort((a: number, b: number) => a - b));
  });
});

describe('operations endpoints', () => {
  it('health answers ok with the node id', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, json: { status: 'ok', node: node.address } });
  });

  it('metrics is Prometheus text with per-op counters, latency histograms, keys, bytes and connections', async () => {
    await call('GET', `/read/${key('user:42')}`);
    const response = await fetch(`${node.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/ringkv_requests_total\{op="read",transport="http",code="ok"\} \d+/);
    expect(text).toMatch(/ringkv_requests_total\{op="create",transport="http",code="KEY_EXISTS"\} \d+/);
    expect(text).toContain('ringkv_request_duration_seconds_bucket{le="0.001",op="read",transport="http"}');
    expect(text).toMatch(/ringkv_keys [1-9]\d*/);
    expect(text).toMatch(/ringkv_bytes [1-9]\d*/);
    expect(text).toMatch(/ringkv_connections\{kind="tcp"\} [1-9]/);
  });

  it('openapi.json is an OpenAPI 3.1 document covering every path of SPEC 2', async () => {
    const { status, json } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    const expected: Array<[string, string]> = [
      ['/create/{key}', 'post'],
      ['/read/{key}', 'get'],
      ['/update/{key}', 'put'],
      ['/delete/{key}', 'delete'],
      ['/add_node/{node}', 'post'],
      ['/get_node/{key}', 'get'],
      ['/remove_node/{node}', 'delete'],
      ['/nodes', 'get'],
      ['/ring', 'get'],
      ['/health', 'get'],
      ['/metrics', 'get'],
      ['/openapi.json', 'get'],
      ['/docs', 'get'],
      ['/', 'get'],
    ];
    for (const [path, method] of expected)
      expect(json.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(json.paths['/create/{key}'].post.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RecordResult',
    });
    expect(json.components.schemas.RecordResult.required).toEqual(['key', 'value', 'version']);
    expect(json.components.schemas.Error.properties.error.properties.code.enum).toContain('KEY_NOT_FOUND');
  });

  it('docs serves Swagger UI from the node itself, pointed at /openapi.json', async () => {
    const page = await fetch(`${node.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const init = await (await fetch(`${node.url}/docs/assets/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${node.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${node.url}/docs/assets/swagger-ui.css`)).status).toBe(200);
  });

  it('/ serves the dashboard page', async () => {
    const response = await fetch(`${node.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toMatch(/<title>[^<]*ringkv[^<]*<\/title>|<h1>ringkv<\/h1>/);
  });

  it('unknown routes and wrong methods answer 404 with the JSON error body', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/create/k'],
      ['POST', '/read/k'],
      ['GET', '/read'],
    ]) {
      const result = await call(method!, path!);
      expect(result.status, `${method} ${path}`).toBe(404);
      expect(result.json.error.code).toBe('BAD_REQUEST');
      expect(result.json.error.message).toContain(path!);
    }
  });
});

// Python 3 with `requests` is not part of the pnpm install; on a machine without it this block is
// reported as skipped by vitest, never as passed.
const pythonHasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!pythonHasRequests)('the original FastAPI Python client', () => {
  it('works unchanged: records for data calls, 400 saying HOST:PORT for add_node("node1")', () => {
    const script = fileURLToPath(new URL('./helpers/original_client.py', import.meta.url));
    const run = spawnSync('python3', [script, node.url], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout);
    expect(results.create).toEqual({ key: 'py-key1', value: 'value1', version: expect.any(Number) });
    expect(results.read).toEqual(results.create);
    expect(results.update).toMatchObject({ key: 'py-key1', value: { nested: [1, 2] } });
    expect(results.get_node).toEqual({ key: 'py-key1', node: node.address, replicas: [node.address] });
    expect(results.add_node.error.code).toBe('BAD_REQUEST');
    expect(results.add_node.error.message).toContain('HOST:PORT');
    expect(results.delete).toEqual({ key: 'py-key1', deleted: true });
    expect(results.read_after_delete.error.code).toBe('KEY_NOT_FOUND');
  });
});
