/**
 * The ceiling for a Node HTTP service on this machine: bare `node:http` answering SPEC section 2's
 * `GET /read/{key}` and `PUT /update/{key}` from a Map of JSON text, preloaded with the benchmark's keys.
 * No validation, no framework. Usage: tsx bench/http/ceiling-server.ts PORT KEYS
 */
import http from 'node:http';
import { jsonValueText, keyAt } from '../lib/keys.js';

const records = new Map<string, { valueJson: string; version: number }>();
let version = 0;

function send(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function recordBody(key: string, record: { valueJson: string; version: number }): string {
  return `{"key":${JSON.stringify(key)},"value":${record.valueJson},"version":${record.version}}`;
}

const notFound = '{"error":{"code":"KEY_NOT_FOUND","message":"no such key"}}';

/** The status and body for one request. */
function handle(request: http.IncomingMessage, body: string): [number, string] {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/health') return [200, '{"status":"ok","node":"ceiling"}'];
  const slash = url.indexOf('/', 1);
  const route = url.slice(0, slash);
  const key = decodeURIComponent(url.slice(slash + 1).split('?')[0] ?? '');
  const existing = records.get(key);
  if (request.method === 'GET' && route === '/read') {
    return existing ? [200, recordBody(key, existing)] : [404, notFound];
  }
  if (request.method === 'PUT' && route === '/update') {
    if (!existing) return [404, notFound];
    const parsed = JSON.parse(body) as { value?: unknown };
    const record = { valueJson: JSON.stringify(parsed.value ?? null), version: ++version };
    records.set(key, record);
    return [200, recordBody(key, record)];
  }
  return [404, '{"error":{"code":"BAD_REQUEST","message":"unknown route"}}'];
}

const port = Number(process.argv[2]);
const keys = Number(process.argv[3] ?? 0);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(keys) || keys < 0) {
  console.error('usage: ceiling-server.ts PORT KEYS');
  process.exit(2);
}
for (let index = 0; index < keys; index++)
  records.set(keyAt(index), { valueJson: jsonValueText, version: 0 });

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      const [status, body] = handle(request, Buffer.concat(chunks).toString());
      send(response, status, body);
    } catch (error) {
      console.warn(`ceiling: ${String(error)}`);
      send(response, 400, '{"error":{"code":"BAD_REQUEST","message":"malformed body"}}');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`http ceiling listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
