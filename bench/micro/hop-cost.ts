/**
 * What one message hop between two Node processes costs on this machine, the floor under every frame a
 * ringkv node, peer or client sends: two processes play ping-pong over loopback (one byte over `net`, or a
 * one-request JSON text frame over `ws`, answered at once), one message in flight, and each reports its
 * CPU time (process.cpuUsage) over the round trips. A round trip is two hops; each side receives and sends
 * once per round trip, so "CPU per round trip" of one side is what a process pays to take one message in
 * and send one out. Placements: both on CPU 1 (every hop switches processes on one core, as when four
 * processes share two cores), one on each CPU, and unpinned.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/hop-cost.ts [--round-trips 20000] [--transports net,ws]
 */
import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { pinningAvailable, setAffinity } from '../lib/affinity.js';
import { nextChildMessage } from '../lib/child-message.js';
import { allocatePort } from '../lib/ports.js';

type Transport = 'net' | 'ws';
interface Ready {
  type: 'ready';
}
interface Done {
  type: 'done';
  cpuMicros: number;
  elapsedMicros: number;
}
type Report = Ready | Done;

const childTimeoutMs = 60_000;
/** The request a ws ping carries: the shape of a client's read. */
const requestText = '{"id":1,"op":"read_replica","key":"key:000000012345"}';
const replyText = '{"id":1,"ok":true,"result":{"ring":"c0ffee12","replica":true,"version":1,"writer":"n1"}}';

function send(message: Report): void {
  process.send?.(message);
}

/** The answering side: answers each message at once; reports its CPU between 'start' and 'stop'. */
function serve(transport: Transport, port: number): void {
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let startedAt = 0n;
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      startedAt = process.hrtime.bigint();
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart);
      const elapsedMicros = Number((process.hrtime.bigint() - startedAt) / 1000n);
      send({ type: 'done', cpuMicros: cpu.user + cpu.system, elapsedMicros });
      setImmediate(() => process.exit(0));
    }
  });
  if (transport === 'net') {
    net
      .createServer((socket) => {
        socket.setNoDelay(true);
        socket.on('data', () => socket.write('p'));
      })
      .listen(port, '127.0.0.1', () => send({ type: 'ready' }));
  } else {
    const server = new WebSocketServer({ host: '127.0.0.1', port }, () => send({ type: 'ready' }));
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        JSON.parse(String(data));
        socket.send(replyText);
      });
    });
  }
}

/** The asking side: `roundTrips` ping-pongs after a warm-up, then reports its CPU and the elapsed time. */
function ping(transport: Transport, port: number, roundTrips: number): void {
  const warmUp = Math.min(2_000, roundTrips);
  let count = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let startedAt = 0n;
  let sendOne: () => void = () => {};
  const onReply = (): void => {
    count++;
    if (count === warmUp) {
      process.send?.({ type: 'start' });
      cpuAtStart = process.cpuUsage();
      startedAt = process.hrtime.bigint();
    }
    if (count === warmUp + roundTrips) {
      const cpu = process.cpuUsage(cpuAtStart);
      const elapsedMicros = Number((process.hrtime.bigint() - startedAt) / 1000n);
      send({ type: 'done', cpuMicros: cpu.user + cpu.system, elapsedMicros });
      setImmediate(() => process.exit(0));
      return;
    }
    sendOne();
  };
  if (transport === 'net') {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    sendOne = () => socket.write('p');
    socket.on('connect', sendOne);
    socket.on('data', onReply);
  } else {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    sendOne = () => socket.send(requestText);
    socket.on('open', sendOne);
    socket.on('message', (data) => {
      JSON.parse(String(data));
      onReply();
    });
  }
}

function child(role: string, args: string[]): ChildProcess {
  return fork(new URL(import.meta.url).pathname, [role, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function measure(
  transport: Transport,
  placement: { name: string; server?: string; client?: string },
  roundTrips: number,
): Promise<string> {
  const port = await allocatePort();
  const server = child('serve', [transport, String(port)]);
  try {
    await nextChildMessage<Ready>(server, 'ready', childTimeoutMs, 'hop-cost server');
    if (placement.server) setAffinity(server.pid!, placement.server);
    const client = child('ping', [transport, String(port), String(roundTrips)]);
    if (placement.client) setAffinity(client.pid!, placement.client);
    // The client tells the server when its measured round trips start; the server reports at 'stop'.
    client.on('message', (message: { type: string }) => {
      if (message.type === 'start') server.send({ type: 'start' });
    });
    const clientDone = await nextChildMessage<Done>(client, 'done', childTimeoutMs, 'hop-cost client');
    server.send({ type: 'stop' });
    const serverDone = await nextChildMessage<Done>(server, 'done', childTimeoutMs, 'hop-cost server');
    const roundTripMicros = clientDone.elapsedMicros / roundTrips;
    return [
      transport,
      placement.name,
      roundTripMicros.toFixed(1),
      (clientDone.cpuMicros / roundTrips).toFixed(1),
      (serverDone.cpuMicros / roundTrips).toFixed(1),
    ].join(' | ');
  } finally {
    server.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'serve') return serve(rest[0] as Transport, Number(rest[1]));
  if (role === 'ping') return ping(rest[0] as Transport, Number(rest[1]), Number(rest[2]));
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'round-trips': { type: 'string', default: '20000' },
      transports: { type: 'string', default: 'net,ws' },
    },
  });
  const roundTrips = Number(values['round-trips']);
  if (!(roundTrips >= 1_000 && roundTrips <= 1_000_000))
    throw new Error('--round-trips must be 1000-1000000');
  const transports = values.transports.split(',') as Transport[];
  for (const transport of transports) {
    if (transport !== 'net' && transport !== 'ws') throw new Error(`--transports: unknown ${transport}`);
  }
  const placements: Array<{ name: string; server?: string; client?: string }> = [{ name: 'unpinned' }];
  if (pinningAvailable()) {
    placements.unshift(
      { name: 'same CPU', server: '1', client: '1' },
      { name: 'one CPU each', server: '1', client: '0' },
    );
  }
  console.log(
    '| transport | placement | round trip us | client CPU per round trip us | server CPU per round trip us |',
  );
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const transport of transports) {
    for (const placement of placements) {
      console.log(`| ${await measure(transport, placement, roundTrips)} |`);
    }
  }
}

await main();
