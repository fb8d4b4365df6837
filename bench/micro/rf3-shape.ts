/**
 * The ceiling of rf 3's message pattern in Node on this machine, as the raw `ws` echo is the ceiling of
 * one node: three minimal `ws` servers, each holding every key in a Map, and one client process with W
 * workers, 90% reads / 10% updates over 100,000 keys with 100-byte values, all with ringkv's message
 * pattern and none of its logic:
 * - a read goes to two of the key's three nodes at once and completes when both answered (a quorum read
 *   answered by the replicas, as RingClient does it);
 * - an update goes to the key's coordinator, which stores it, sends it to the other two nodes and answers
 *   once one of them acknowledged (a write quorum of two);
 * - every socket sends at most one frame per turn of the event loop (a JSON array of messages), as the
 *   nodes' peer links and RingClient's connections do.
 * Each node dials both others and sends its updates on the socket it dialled (ringkv keeps one socket per
 * pair, so its acknowledgements may share a frame with writes the other way; here they cannot).
 * No validation, versions beyond a counter, conditions, hints, metrics or timeouts: what is left is the
 * frames and the JSON. If this shape cannot reach half of ioredis's rate at 50 workers here, no ringkv
 * built on Node and `ws` can; the gap between this and ringkv is what ringkv's own work costs.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/rf3-shape.ts [--workers 50,1000] [--seconds 5] [--read-fraction 0.9]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { nextChildMessage } from '../lib/child-message.js';
import { processCpuSeconds, processSyscalls } from '../lib/cpu.js';
import { keyAt, seededRandom, valueBytes } from '../lib/keys.js';
import { allocatePort } from '../lib/ports.js';
import { TurnOutbox } from '../lib/turn-outbox.js';

const keyspace = 100_000;
/** A 98-character string: its JSON text is 100 bytes, as ringkv's values in every benchmark. */
const value = 'v'.repeat(valueBytes - 2);
const childTimeoutMs = 120_000;

type Message = Record<string, unknown> & { t: string };

/** A socket's outbox: everything queued in one turn leaves as one frame (bench/lib/turn-outbox.ts). */
class Outbox {
  private readonly turn: TurnOutbox;

  constructor(socket: WebSocket) {
    this.turn = new TurnOutbox((frame) => socket.send(frame));
  }

  push(message: Message): void {
    this.turn.push(JSON.stringify(message));
  }
}

/** The node at `index` of three, whose peers listen on `peerPorts`. */
async function runNode(port: number, peerPorts: number[]): Promise<void> {
  const store = new Map<string, { v: string; n: number }>();
  for (let index = 0; index < keyspace; index++) store.set(keyAt(index), { v: value, n: 0 });
  let version = 0;
  let nextWrite = 0;
  /** Updates this node coordinates, waiting for the first acknowledgement: the client and its request id. */
  const waiting = new Map<number, { client: Outbox; id: number; acks: number }>();
  const peers: Outbox[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  server.on('connection', (socket) => {
    const outbox = new Outbox(socket);
    socket.on('message', (data) => {
      for (const message of JSON.parse(String(data)) as Message[]) {
        if (message.t === 'r') {
          const record = store.get(message.k as string);
          outbox.push({ t: 'R', i: message.i, v: record?.v, n: record?.n });
        } else if (message.t === 'w') {
          const record = { v: message.v as string, n: ++version };
          store.set(message.k as string, record);
          const write = nextWrite++;
          waiting.set(write, { client: outbox, id: message.i as number, acks: 0 });
          for (const peer of peers) peer.push({ t: 'p', x: write, k: message.k, v: record.v, n: record.n });
        } else if (message.t === 'p') {
          store.set(message.k as string, { v: message.v as string, n: message.n as number });
          outbox.push({ t: 'a', x: message.x });
        }
      }
    });
  });
  await new Promise((resolve) => server.once('listening', resolve));
  process.send?.({ type: 'listening' });
  // Peers dial each other once all listen (the parent says when); acknowledgements come back on the link.
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  for (const peerPort of peerPorts) {
    const socket = new WebSocket(`ws://127.0.0.1:${peerPort}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.on('message', (data) => {
      for (const message of JSON.parse(String(data)) as Message[]) {
        const entry = waiting.get(message.x as number);
        if (!entry) continue;
        entry.acks++;
        if (entry.acks === 1) entry.client.push({ t: 'W', i: entry.id, n: version });
        if (entry.acks === peers.length) waiting.delete(message.x as number);
      }
    });
    peers.push(new Outbox(socket));
  }
  process.send?.({ type: 'ready' });
}

/** The client: `workers` callers for `seconds` after a second of warm-up; reports operations completed. */
async function runClient(
  ports: number[],
  workers: number,
  seconds: number,
  readFraction: number,
): Promise<void> {
  const sockets = await Promise.all(
    ports.map(async (port) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      return socket;
    }),
  );
  const outboxes = sockets.map((socket) => new Outbox(socket));
  let nextId = 0;
  /** Per request id: the call it belongs to (a read waits for two answers). */
  const calls = new Map<number, { left: number; done: () => void }>();
  for (const socket of sockets) {
    socket.on('message', (data) => {
      for (const reply of JSON.parse(String(data)) as Message[]) {
        const call = calls.get(reply.i as number);
        if (!call) continue;
        calls.delete(reply.i as number);
        if (--call.left === 0) call.done();
      }
    });
  }
  const next = seededRandom(7);
  const operation = (): Promise<void> =>
    new Promise((done) => {
      const index = Math.floor(next() * keyspace);
      const key = keyAt(index);
      const first = index % 3;
      if (next() < readFraction) {
        const call = { left: 2, done };
        for (const node of [first, (first + 1) % 3]) {
          const id = nextId++;
          calls.set(id, call);
          outboxes[node]!.push({ t: 'r', i: id, k: key });
        }
      } else {
        const id = nextId++;
        calls.set(id, { left: 1, done });
        outboxes[first]!.push({ t: 'w', i: id, k: key, v: value });
      }
    });
  let counting = false;
  let stop = false;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await operation();
      if (counting) completed++;
    }
  };
  const running = Array.from({ length: workers }, worker);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  process.send?.({ type: 'start' });
  const cpuAtStart = process.cpuUsage();
  counting = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  counting = false;
  const cpu = process.cpuUsage(cpuAtStart);
  stop = true;
  await Promise.all(running);
  process.send?.({ type: 'done', completed, cpuMicros: cpu.user + cpu.system });
  for (const socket of sockets) socket.close();
}

function child(args: string[]): ChildProcess {
  return fork(new URL(import.meta.url).pathname, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function measure(workers: number, seconds: number, readFraction: number): Promise<string> {
  const ports = [await allocatePort(), await allocatePort(), await allocatePort()];
  const nodes = ports.map((port, index) =>
    child(['node', String(port), ports.filter((_, other) => other !== index).join(',')]),
  );
  try {
    await Promise.all(
      nodes.map((node) => nextChildMessage(node, 'listening', childTimeoutMs, 'rf3-shape node')),
    );
    for (const node of nodes) node.send({ type: 'dial' });
    await Promise.all(nodes.map((node) => nextChildMessage(node, 'ready', childTimeoutMs, 'rf3-shape node')));
    const client = child(['client', ports.join(','), String(workers), String(seconds), String(readFraction)]);
    let nodesCpuAtStart = 0;
    let syscallsAtStart = 0;
    const nodeSyscalls = (): number =>
      nodes.reduce((sum, node) => {
        const calls = processSyscalls(node.pid!);
        return sum + calls.reads + calls.writes;
      }, 0);
    client.on('message', (message: { type: string }) => {
      if (message.type === 'start') {
        nodesCpuAtStart = nodes.reduce((sum, node) => sum + processCpuSeconds(node.pid!), 0);
        syscallsAtStart = nodeSyscalls();
      }
    });
    const done = await nextChildMessage<{ type: 'done'; completed: number; cpuMicros: number }>(
      client,
      'done',
      childTimeoutMs,
      'rf3-shape client',
    );
    const nodesCpu = nodes.reduce((sum, node) => sum + processCpuSeconds(node.pid!), 0) - nodesCpuAtStart;
    const syscallsPerOp = (nodeSyscalls() - syscallsAtStart) / done.completed;
    const opsPerSecond = done.completed / seconds;
    const serverMicrosPerOp = (nodesCpu * 1e6) / done.completed;
    const clientMicrosPerOp = done.cpuMicros / done.completed;
    return `| ${workers} | ${Math.round(opsPerSecond).toLocaleString('en-US')} | ${Math.round((nodesCpu * 100) / seconds)}% = ${serverMicrosPerOp.toFixed(1)} us | ${Math.round(done.cpuMicros / 1e4 / seconds)}% = ${clientMicrosPerOp.toFixed(1)} us | ${syscallsPerOp.toFixed(2)} |`;
  } finally {
    for (const node of nodes) node.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'node') return runNode(Number(rest[0]), rest[1]!.split(',').map(Number));
  if (role === 'client') {
    return runClient(rest[0]!.split(',').map(Number), Number(rest[1]), Number(rest[2]), Number(rest[3]));
  }
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      workers: { type: 'string', default: '50,1000' },
      seconds: { type: 'string', default: '5' },
      'read-fraction': { type: 'string', default: '0.9' },
    },
  });
  const seconds = Number(values.seconds);
  const workerCounts = values.workers.split(',').map(Number);
  const readFraction = Number(values['read-fraction']);
  if (!(readFraction >= 0 && readFraction <= 1)) throw new Error('--read-fraction must be from 0 to 1');
  if (!(seconds >= 1 && seconds <= 60)) throw new Error('--seconds must be 1-60');
  if (workerCounts.some((count) => !(Number.isInteger(count) && count >= 1 && count <= 5_000))) {
    throw new Error('--workers: counts of 1-5000');
  }
  console.log(
    "| workers | ops/s | three nodes CPU, per op | client CPU, per op | nodes' read + write system calls per op |",
  );
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const workers of workerCounts) console.log(await measure(workers, seconds, readFraction));
}

await main();
