/**
 * A throwaway WebSocket server that adds ringkv's receive/answer layers one at a time on top of the echo
 * (bench/cluster/echo-server.ts), to find by bisection which layer makes each request's objects survive
 * scavenges and get promoted (docs/PERFORMANCE.md, "What survives a scavenge"). Driven by
 * `bench/cluster/gc-half-peak.ts --target echo --echo-script bench/micro/gc-layers/server.ts --echo-arg=...`.
 *
 * Layers (each a flag; the echo is `--upgrade port` with nothing else):
 * - `--upgrade port|http|fastify`: ws on its own port (the echo), ws noServer behind a bare node:http
 *   server's `upgrade` event, or behind a Fastify instance's server (as ringkv's ws-api.ts/upgrade-router.ts);
 * - `--decode`: @ringkv/protocol's decodeFrame instead of JSON.parse;
 * - `--cork`: replies corked on the TCP socket and uncorked on process.nextTick (ClientConnection.send);
 * - `--connection`: the real ClientConnection and Dispatcher over a Map-backed NodeApi (not a ringkv node);
 * - `--metrics`: with `--connection`, the real NodeMetrics (prom-client registry, default metrics) instead
 *   of a recorder that does nothing.
 * Usage: tsx bench/micro/gc-layers/server.ts PORT [--upgrade port|http|fastify] [--decode] [--cork]
 *        [--connection] [--metrics]
 */
import http, { type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { Dispatcher } from '../../../packages/node/src/io/dispatch.js';
import { createLogger } from '../../../packages/node/src/io/logger.js';
import { NodeMetrics } from '../../../packages/node/src/io/metrics.js';
import { ClientConnection } from '../../../packages/node/src/io/ws-connection.js';
import type { NodeApi } from '../../../packages/node/src/node-api.js';
import { decodeFrame } from '../../../packages/protocol/src/decode.js';
import { RingKvError } from '../../../packages/protocol/src/errors.js';
import { frameBytesMax } from '../../../packages/protocol/src/limits.js';

interface EchoRecord {
  valueJson: string;
  version: number;
  writer: string;
}

const records = new Map<string, EchoRecord>();
let version = 0;

function error(id: string, code: string): string {
  return `{"id":${id},"ok":false,"error":{"code":"${code}","message":"${code}"}}`;
}

function resultText(id: string, key: string, record: EchoRecord): string {
  return `{"id":${id},"ok":true,"result":{"key":${JSON.stringify(key)},"value":${record.valueJson},"version":${record.version}}}`;
}

/** The echo's answer, from an op, key and value JSON (JSON.parse'd or decoded). */
function answer(idValue: unknown, op: unknown, key: unknown, valueJson: string | undefined): string {
  const id = JSON.stringify(idValue ?? null);
  if (typeof key !== 'string') return error(id, 'BAD_REQUEST');
  const existing = records.get(key);
  if (op === 'read') return existing ? resultText(id, key, existing) : error(id, 'KEY_NOT_FOUND');
  if (op !== 'create' && op !== 'update') return error(id, 'BAD_REQUEST');
  if (op === 'create' && existing) return error(id, 'KEY_EXISTS');
  if (op === 'update' && !existing) return error(id, 'KEY_NOT_FOUND');
  const record = { valueJson: valueJson ?? 'null', version: ++version, writer: 'echo' };
  records.set(key, record);
  return resultText(id, key, record);
}

interface Parsed {
  id?: unknown;
  op?: unknown;
  key?: unknown;
  value?: unknown;
}

function answerJson(text: string): string {
  const parsed = JSON.parse(text) as Parsed | Parsed[];
  const one = (request: Parsed) =>
    answer(request.id, request.op, request.key, JSON.stringify(request.value ?? null));
  return Array.isArray(parsed) ? `[${parsed.map(one).join(',')}]` : one(parsed);
}

function answerDecoded(text: string): string {
  const frame = decodeFrame(text);
  if (frame.kind === 'malformed') return error('null', 'BAD_REQUEST');
  const one = (decoded: (typeof frame & { kind: 'single' })['request']) => {
    if (!decoded.ok) return error(JSON.stringify(decoded.id), 'BAD_REQUEST');
    const request = decoded.request as { id: unknown; op: string; key?: unknown };
    return answer(request.id, request.op, request.key, decoded.valueJson);
  };
  return frame.kind === 'single' ? one(frame.request) : `[${frame.requests.map(one).join(',')}]`;
}

/** A NodeApi over the Map above: enough for the Dispatcher's read, create and update. */
function mapNode(): NodeApi & { readNow(key: string): EchoRecord | undefined } {
  const notFound = (key: string) => new RingKvError('KEY_NOT_FOUND', `key ${key} does not exist`);
  const write = async (key: string, valueJson: string, create: boolean) => {
    const existing = records.get(key);
    if (create && existing) throw new RingKvError('KEY_EXISTS', `key ${key} exists`);
    if (!create && !existing) throw notFound(key);
    const record = { valueJson, version: ++version, writer: 'echo' };
    records.set(key, record);
    return { key, valueJson, version: record.version };
  };
  const node = {
    nodeId: 'echo',
    readNow: (key: string) => records.get(key),
    create: (key: string, valueJson: string) => write(key, valueJson, true),
    update: (key: string, valueJson: string) => write(key, valueJson, false),
    read: async (key: string) => {
      const record = records.get(key);
      if (!record) throw notFound(key);
      return { key, valueJson: record.valueJson, version: record.version };
    },
  };
  return node as unknown as NodeApi & { readNow(key: string): EchoRecord | undefined };
}

function connectionHandler(useMetrics: boolean): (ws: WebSocket, transport: Socket) => void {
  const logger = createLogger('echo', 'warn');
  const metrics = useMetrics
    ? new NodeMetrics({ storeCounts: () => ({ keys: records.size, bytes: 0 }) })
    : ({ recordOp: () => undefined } as unknown as NodeMetrics);
  const node = mapNode();
  const dispatcher = new Dispatcher(node, metrics, logger, node);
  const context = {
    dispatcher,
    requestsInflightMax: 1024,
    logger,
    pushSnapshot: () => undefined,
    onReject: () => undefined,
  };
  let nextId = 0;
  return (ws, transport) => {
    const connection = new ClientConnection(ws, ++nextId, context, transport);
    ws.on('message', (data, isBinary) => connection.onMessage(data, isBinary));
  };
}

function plainHandler(decode: boolean, cork: boolean): (ws: WebSocket, transport: Socket) => void {
  return (ws, transport) => {
    let corked = false;
    const uncork = () => {
      corked = false;
      transport.uncork();
    };
    ws.on('message', (data: RawData) => {
      const text = (data as Buffer).toString('utf8');
      let reply: string;
      try {
        reply = decode ? answerDecoded(text) : answerJson(text);
      } catch (cause) {
        console.warn(`gc-layers: malformed frame: ${String(cause)}`);
        reply = error('null', 'BAD_REQUEST');
      }
      if (cork && !corked) {
        corked = true;
        transport.cork();
        process.nextTick(uncork);
      }
      ws.send(reply);
    });
  };
}

async function upgradeServer(kind: string): Promise<Server> {
  if (kind === 'http') return http.createServer((_request, response) => response.end());
  // Fastify is a dependency of packages/node, not of bench/: resolved from there.
  const fastify = createRequire(new URL('../../../packages/node/package.json', import.meta.url))(
    'fastify',
  ) as (options?: object) => {
    get(path: string, handler: () => Promise<string>): void;
    ready(): Promise<void>;
    server: Server;
  };
  const app = fastify();
  app.get('/', async () => 'gc-layers');
  await app.ready();
  return app.server;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      upgrade: { type: 'string', default: 'port' },
      decode: { type: 'boolean', default: false },
      cork: { type: 'boolean', default: false },
      connection: { type: 'boolean', default: false },
      metrics: { type: 'boolean', default: false },
    },
  });
  const port = Number(positionals[0]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('usage: server.ts PORT [flags]');
  const onConnection = values.connection
    ? connectionHandler(values.metrics)
    : plainHandler(values.decode, values.cork);
  const wsOptions = { perMessageDeflate: false, maxPayload: frameBytesMax, clientTracking: false };
  if (values.upgrade === 'port') {
    const wss = new WebSocketServer({ ...wsOptions, port, host: '127.0.0.1' });
    wss.on('connection', (ws, request) => onConnection(ws, request.socket as Socket));
    wss.on('listening', () => console.log(`gc-layers listening on 127.0.0.1:${port}`));
    return;
  }
  const wss = new WebSocketServer({ ...wsOptions, noServer: true });
  const server = await upgradeServer(values.upgrade);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, socket as Socket));
  });
  server.listen(port, '127.0.0.1', () =>
    console.log(`gc-layers (${JSON.stringify(values)}) listening on 127.0.0.1:${port}`),
  );
}

await main();
