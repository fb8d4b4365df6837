/**
 * The HTTP server (Fastify) of a node: hooks for token, origin, path length and lifecycle, the API routes,
 * the pages, and one place that turns every failure into `{"error":{"code","message"}}` with the SPEC
 * status, Fastify's own failures included (bad JSON, wrong Content-Type, body too large, bad URL, unknown
 * route, malformed HTTP).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { errorStatus, limits, RingKvError } from '@ringkv/protocol';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { NodeApi } from '../node-api.js';
import { type Access, queryParameter } from './auth.js';
import type { Dispatcher } from './dispatch.js';
import { registerApiRoutes } from './http-routes.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { errorEnvelopeText } from './replies.js';
import { registerPages } from './static.js';

export interface HttpServerOptions {
  node: NodeApi;
  dispatcher: Dispatcher;
  access: Access;
  lifecycle: Lifecycle;
  metrics: NodeMetrics;
  logger: Logger;
  dashboardDir: string;
}

// Requests with these methods change nothing, so a browser on another origin gains nothing by sending
// them: the same-origin policy already keeps it from reading the answer.
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a path names, for messages about a bad path: `key` on the data routes, `node` on the node routes. */
function pathSubject(url: string): string {
  if (/^\/(add_node|remove_node)\//.test(url)) return 'node';
  if (/^\/(create|read|update|delete|get_node)\//.test(url)) return 'key';
  return 'path';
}

/** Fastify's own errors, in the SPEC's codes; undefined for anything that is a bug (INTERNAL). */
export function frameworkError(error: FastifyError, url: string): RingKvError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RingKvError(
        'TOO_LARGE',
        `body is over ${limits.httpBodyBytesMax} bytes; a value may be at most ${limits.valueBytesMax} bytes encoded`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RingKvError(
        'BAD_REQUEST',
        'Content-Type must be application/json, with a body {"value": V}',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RingKvError('BAD_REQUEST', 'body is empty; send {"value": V}');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new RingKvError('BAD_REQUEST', 'body is not valid JSON; send {"value": V}');
    case 'FST_ERR_BAD_URL':
      return new RingKvError('BAD_REQUEST', `${pathSubject(url)} is not valid percent-encoded UTF-8`);
  }
  if (error instanceof SyntaxError)
    return new RingKvError('BAD_REQUEST', `body is not valid JSON: ${error.message}`);
  const status = error.statusCode ?? 500;
  if (status === 413) return new RingKvError('TOO_LARGE', error.message);
  if (status >= 400 && status < 500) return new RingKvError('BAD_REQUEST', error.message);
  return undefined;
}

function sendError(reply: FastifyReply, error: RingKvError): FastifyReply {
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(errorEnvelopeText(error.toBody()));
}

function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const code = tooLarge ? 'TOO_LARGE' : 'BAD_REQUEST';
  const message = tooLarge ? 'request path or headers are over the size limit' : 'malformed HTTP request';
  const body = errorEnvelopeText({ code, message });
  const status = errorStatus[code];
  return `HTTP/1.1 ${status} ${tooLarge ? 'Content Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { metrics, logger } = options;
  let requestSequence = 0;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => `http-${++requestSequence}`,
    bodyLimit: limits.httpBodyBytesMax,
    // Values are stored as the JSON the client sent; `__proto__` is an ordinary key in JSON text. The
    // body is only re-serialised, never merged into another object, so there is nothing to poison.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    routerOptions: { maxParamLength: limits.httpPathCharsMax },
    return503OnClosing: false,
    frameworkErrors: (error, request, reply) =>
      sendError(reply, frameworkError(error as FastifyError, request.url) ?? internal()),
    clientErrorHandler: (error, socket) => {
      if (socket.writable && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') {
        socket.end(clientErrorResponse(error as NodeJS.ErrnoException));
      } else {
        socket.destroy();
      }
    },
  });

  // Bodies are JSON only. Fastify also parses text/plain, a type browsers may send cross-site without asking.
  app.removeContentTypeParser('text/plain');

  app.server.on('connection', (socket: Socket) => {
    metrics.connectionOpened('tcp');
    socket.once('close', () => metrics.connectionClosed('tcp'));
  });

  app.addHook('onRequest', (request, reply) => admit(request, reply, options));
  setErrorHandlers(app, logger);

  registerApiRoutes(app, options);
  await registerPages(app, options.dashboardDir);
  return app;
}

/** The checks every request passes before its route, in order: path length, token, origin, lifecycle. */
async function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  options: HttpServerOptions,
): Promise<void> {
  const { access, lifecycle } = options;
  if (request.url.length > limits.httpPathCharsMax) {
    throw new RingKvError(
      'TOO_LARGE',
      `the path is ${request.url.length} characters; the limit is ${limits.httpPathCharsMax}`,
    );
  }
  const source = access.tokenSource(request.headers, request.url);
  if (source === undefined) {
    reply.header('www-authenticate', 'Bearer');
    throw new RingKvError('UNAUTHORIZED', 'a token is required: send Authorization: Bearer TOKEN');
  }
  if (source === 'query')
    reply.header('set-cookie', access.tokenCookie(queryParameter(request.url, 'token')!));
  if (
    !safeMethods.has(request.method) &&
    !access.originAllowed(request.headers.origin, request.headers.host)
  ) {
    throw new RingKvError('FORBIDDEN', `origin ${request.headers.origin} may not change data on this node`);
  }
  if (!lifecycle.serving && !request.url.startsWith('/health')) {
    throw new RingKvError('UNAVAILABLE', `node is ${lifecycle.state}, not serving`);
  }
}

/** Every failure, Fastify's own included, as `{"error":{"code","message"}}` with the SPEC status. */
/**
 * Reads and drops the rest of a refused body (at most `oversizeDrainBytesMax`, for at most
 * `oversizeDrainMs`) before the 413 goes out. Fastify answers an oversized body at once and closes the
 * connection; a client still writing would then see a broken pipe instead of the 413 and its message.
 */
const oversizeDrainBytesMax = limits.frameBytesMax;
const oversizeDrainMs = 2_000;

function discardBody(body: IncomingMessage): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let received = 0;
    const finish = () => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', finish);
      body.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > oversizeDrainBytesMax) finish();
    };
    const timer = setTimeout(finish, oversizeDrainMs);
    body.on('data', onData);
    body.on('end', finish);
    body.on('error', finish);
    body.resume();
  });
}

function setErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const ringError = error instanceof RingKvError ? error : frameworkError(error, request.url);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') await discardBody(request.raw);
    if (ringError !== undefined) return sendError(reply, ringError);
    logger.error(
      { err: error, requestId: request.id, url: request.url },
      'internal error answering an HTTP request',
    );
    return sendError(reply, internal(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    // There is no NOT_FOUND code in SPEC 4: an unknown path is malformed input, answered with HTTP's 404.
    const body = errorEnvelopeText({
      code: 'BAD_REQUEST',
      message: `no route ${request.method} ${path}; the API is described at /docs`,
    });
    return reply.code(404).type('application/json; charset=utf-8').send(body);
  });
}

function internal(requestId?: string): RingKvError {
  const id = requestId === undefined ? '' : ` (request id ${requestId})`;
  return new RingKvError('INTERNAL', `internal error${id}; the node's log has the details`);
}
