/**
 * The routes of SPEC section 2. Each handler only decodes (key from the raw path, `?consistency=`, the
 * `{"value": V}` body), hands the request to the Dispatcher, and sends the result's JSON text with the
 * SPEC status. Keys are read from the raw URL and decoded by `decodeKeySegment`, so `%2F` is a `/` inside
 * the key and an invalid encoding is BAD_REQUEST naming the key, the same as on the WebSocket.
 */
import { Consistency, checkNodeAddress, decodeKeySegment, encodeValue, RingKvError } from '@ringkv/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NodeApi } from '../node-api.js';
import type { Dispatcher, NodeRequest } from './dispatch.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodeMetrics } from './metrics.js';
import { openApiDocumentText } from './openapi.js';
import { errorEnvelopeText } from './replies.js';

export interface RouteDependencies {
  node: NodeApi;
  dispatcher: Dispatcher;
  metrics: NodeMetrics;
  lifecycle: Lifecycle;
}

type KeyOp = 'create' | 'read' | 'update' | 'delete' | 'get_node' | 'read_replica';

const keyRoutes: Array<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE'; op: KeyOp; status: number }> = [
  { method: 'POST', op: 'create', status: 201 },
  { method: 'GET', op: 'read', status: 200 },
  { method: 'PUT', op: 'update', status: 200 },
  { method: 'DELETE', op: 'delete', status: 200 },
  { method: 'GET', op: 'get_node', status: 200 },
  { method: 'GET', op: 'read_replica', status: 200 },
];

const nodeRoutes: Array<{ method: 'POST' | 'DELETE'; op: 'add_node' | 'remove_node'; status: number }> = [
  { method: 'POST', op: 'add_node', status: 200 },
  { method: 'DELETE', op: 'remove_node', status: 202 },
];

/** The raw (still percent-encoded) path after `prefix`, without the query string. */
export function rawSegment(url: string, prefix: string): string {
  const queryStart = url.indexOf('?');
  return url.slice(prefix.length, queryStart < 0 ? url.length : queryStart);
}

function consistencyOf(request: FastifyRequest): Consistency {
  const raw = (request.query as Record<string, unknown> | undefined)?.consistency;
  if (raw === undefined) return 'quorum';
  const parsed = Consistency.safeParse(raw);
  if (!parsed.success) {
    throw new RingKvError(
      'BAD_REQUEST',
      `consistency: must be one of one, quorum, all; got ${JSON.stringify(raw)}`,
    );
  }
  return parsed.data;
}

/** The value's JSON text from a `{"value": V}` body, checked against the value limit. */
function valueJsonOf(body: unknown): string {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RingKvError('BAD_REQUEST', 'body must be a JSON object {"value": V} sent as application/json');
  }
  return encodeValue((body as { value?: unknown }).value);
}

function nodeOf(segment: string): string {
  let node: string;
  try {
    node = decodeURIComponent(segment);
  } catch (cause) {
    throw new RingKvError('BAD_REQUEST', 'node is not valid percent-encoded UTF-8', { cause });
  }
  return checkNodeAddress(node);
}

function keyRequest(op: KeyOp, request: FastifyRequest): { request: NodeRequest; valueJson?: string } {
  const key = decodeKeySegment(rawSegment(request.url, `/${op}/`));
  const id = 0; // HTTP requests carry no client id; the reply is the result alone.
  if (op === 'get_node' || op === 'read_replica') return { request: { id, op, key } };
  const consistency = consistencyOf(request);
  if (op === 'create' || op === 'update') {
    const valueJson = valueJsonOf(request.body);
    return { request: { id, op, key, value: undefined, consistency }, valueJson };
  }
  return { request: { id, op, key, consistency } };
}

function sendJson(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

export function registerApiRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  const { dispatcher, node, metrics, lifecycle } = deps;
  const run = async (
    reply: FastifyReply,
    status: number,
    decoded: { request: NodeRequest; valueJson?: string },
    id: string,
  ) => {
    // A read the node answers from its own store skips the promise chain (Dispatcher.runNow).
    const now = dispatcher.runNow(decoded.request, 'http');
    const text = now ?? (await dispatcher.run(decoded.request, decoded.valueJson, 'http', id));
    return sendJson(reply, status, text);
  };

  for (const route of keyRoutes) {
    app.route({
      method: route.method,
      url: `/${route.op}/*`,
      handler: (request, reply) => run(reply, route.status, keyRequest(route.op, request), request.id),
    });
  }
  for (const route of nodeRoutes) {
    app.route({
      method: route.method,
      url: `/${route.op}/*`,
      handler: (request, reply) => {
        const target = nodeOf(rawSegment(request.url, `/${route.op}/`));
        return run(reply, route.status, { request: { id: 0, op: route.op, node: target } }, request.id);
      },
    });
  }
  app.get('/nodes', (request, reply) => run(reply, 200, { request: { id: 0, op: 'nodes' } }, request.id));
  app.get('/ring', (request, reply) => run(reply, 200, { request: { id: 0, op: 'ring' } }, request.id));

  app.get('/health', (_request, reply) => {
    if (lifecycle.serving && node.serving()) {
      return sendJson(reply, 200, JSON.stringify({ status: 'ok', node: node.nodeId }));
    }
    const message = `node ${node.nodeId} is ${lifecycle.state}, not serving`;
    return sendJson(reply, 503, errorEnvelopeText({ code: 'UNAVAILABLE', message }));
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.text();
    return reply.type(contentType).send(body);
  });
  app.get('/openapi.json', (_request, reply) => sendJson(reply, 200, openApiDocumentText()));
}
