/**
 * The ceiling for any Node WebSocket service on this machine: a bare `ws` server in its own process that
 * parses each JSON request (or batch) and answers it from a Map, in the same reply shape ringkv uses.
 * Values are kept as JSON text, as ringkv keeps them. No validation, no cluster, no persistence.
 * Usage: tsx bench/cluster/echo-server.ts PORT
 */
import { WebSocketServer } from 'ws';

interface EchoRequest {
  id?: unknown;
  op?: unknown;
  key?: unknown;
  value?: unknown;
}

const records = new Map<string, { valueJson: string; version: number }>();
let version = 0;

function error(id: string, code: string): string {
  return `{"id":${id},"ok":false,"error":{"code":"${code}","message":"${code}"}}`;
}

function answer(request: EchoRequest): string {
  const id = JSON.stringify(request.id ?? null);
  if (typeof request.key !== 'string') return error(id, 'BAD_REQUEST');
  const key = request.key;
  const existing = records.get(key);
  switch (request.op) {
    case 'read':
      if (!existing) return error(id, 'KEY_NOT_FOUND');
      return `{"id":${id},"ok":true,"result":{"key":${JSON.stringify(key)},"value":${existing.valueJson},"version":${existing.version}}}`;
    case 'create':
    case 'update': {
      if (request.op === 'create' && existing) return error(id, 'KEY_EXISTS');
      if (request.op === 'update' && !existing) return error(id, 'KEY_NOT_FOUND');
      const record = { valueJson: JSON.stringify(request.value ?? null), version: ++version };
      records.set(key, record);
      return `{"id":${id},"ok":true,"result":{"key":${JSON.stringify(key)},"value":${record.valueJson},"version":${record.version}}}`;
    }
    default:
      return error(id, 'BAD_REQUEST');
  }
}

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: echo-server.ts PORT');
  process.exit(2);
}
const server = new WebSocketServer({
  port,
  host: '127.0.0.1',
  perMessageDeflate: false,
  maxPayload: 16 * 2 ** 20,
});
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    let parsed: EchoRequest | EchoRequest[];
    try {
      parsed = JSON.parse(data.toString()) as EchoRequest | EchoRequest[];
    } catch (cause) {
      socket.send(error('null', 'BAD_REQUEST'));
      console.warn(`echo: malformed frame: ${String(cause)}`);
      return;
    }
    socket.send(Array.isArray(parsed) ? `[${parsed.map(answer).join(',')}]` : answer(parsed));
  });
});
server.on('listening', () => console.log(`echo listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
