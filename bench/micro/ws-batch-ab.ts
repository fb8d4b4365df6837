/**
 * ws-batch.ts for two trees in ONE process: each tree's own ClientConnection, Dispatcher, ClusterNode (rf 1)
 * and MemoryStore (100,000 keys), fed the same batch-100 frames (90% reads, 10% updates), passes alternated
 * A B, B A, A B, ... Prints the CPU time per operation of each pass and the medians.
 *
 * Why: on this shared machine separate processes run at one of two speeds from one run to the next (the
 * same code 1.6x apart), so an A/B across processes can show a gain that is only the machine. Here both
 * sides share the process, its heap and its moment; only the code differs. The GC is shared too: a pass
 * pays for collections its garbage triggers, and some of the other side's.
 * Run it in both orders (A B, then B A): the tree set up second has run up to 15-24% slower in some runs
 * of one tree against a copy of itself (and not at all in others), so take the geometric mean of the two
 * orders' B/A ratios, which cancels an effect of the order.
 *   bench/lib/ab-snapshot.sh A COMMIT && bench/lib/ab-snapshot.sh B COMMIT PATCH
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/ws-batch-ab.ts /tmp/ringkv-ab/A /tmp/ringkv-ab/B [--passes 10]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RawData, WebSocket } from 'ws';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';

type ClusterNodeModule = typeof import('../../packages/node/src/cluster-node.js');
type DispatchModule = typeof import('../../packages/node/src/io/dispatch.js');
type LoggerModule = typeof import('../../packages/node/src/io/logger.js');
type MetricsModule = typeof import('../../packages/node/src/io/metrics.js');
type ClockModule = typeof import('../../packages/node/src/io/system-clock.js');
type ConnectionModule = typeof import('../../packages/node/src/io/ws-connection.js');
type StoreModule = typeof import('../../packages/node/src/store/memory-store.js');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    passes: { type: 'string', default: '10' },
    frames: { type: 'string', default: '3000' },
  },
});
if (positionals.length !== 2)
  throw new Error('usage: ws-batch-ab.ts TREE_A TREE_B [--passes N] [--frames N]');
const passes = Number(values.passes);
const framesPerPass = Number(values.frames);
const keyCount = 100_000;
const batchSize = 100;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function load<T>(tree: string, file: string): Promise<T> {
  return (await import(path.resolve(tree, 'packages/node/src', file))) as T;
}

/** One tree's node behind one connection, preloaded through the same path. */
async function setUp(tree: string, port: number) {
  const { ClusterNode, systemRandom } = await load<ClusterNodeModule>(tree, 'cluster-node.ts');
  const { Dispatcher } = await load<DispatchModule>(tree, 'io/dispatch.ts');
  const { createLogger } = await load<LoggerModule>(tree, 'io/logger.ts');
  const { NodeMetrics } = await load<MetricsModule>(tree, 'io/metrics.ts');
  const { systemClock } = await load<ClockModule>(tree, 'io/system-clock.ts');
  const { ClientConnection } = await load<ConnectionModule>(tree, 'io/ws-connection.ts');
  const { MemoryStore } = await load<StoreModule>(tree, 'store/memory-store.ts');
  const nodeId = `127.0.0.1:${port}`;
  const logger = createLogger(nodeId, 'warn');
  const store = new MemoryStore();
  const metrics = new NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) });
  const node = new ClusterNode({
    nodeId,
    store,
    clock: systemClock,
    random: systemRandom,
    logger,
    vnodes: 128,
    replicationFactor: 1,
    readQuorum: 1,
    writeQuorum: 1,
    join: [],
    clusterSecret: undefined,
    sampleOps: () => metrics.window.sample(),
    statsIntervalMs: 1_000,
  });
  const dispatcher = new Dispatcher(node, metrics, logger, node.data);
  const sent = { replies: 0, bytes: 0 };
  // The socket is the only stand-in: a reply is encoded to UTF-8 as ws sends it, then dropped.
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send(text: string) {
      sent.bytes += Buffer.from(text).length;
      sent.replies++;
    },
    terminate() {
      throw new Error('terminated');
    },
  } as unknown as WebSocket;
  const connection = new ClientConnection(socket, 1, {
    dispatcher,
    requestsInflightMax: 10_000,
    logger,
    pushSnapshot: () => {},
    onReject: (reason) => {
      throw new Error(`rejected: ${reason}`);
    },
  });
  for (let start = 0; start < keyCount; start += 500) {
    const requests = [];
    for (let index = start; index < start + 500; index++) {
      requests.push(`{"id":${index},"op":"create","key":"${keyAt(index)}","value":${jsonValueText}}`);
    }
    connection.onMessage(Buffer.from(`[${requests.join(',')}]`), false);
    await settle();
  }
  const close = async () => {
    await node.close();
    await store.close();
  };
  return { connection, sent, close };
}

const sides = {
  A: await setUp(positionals[0]!, 25598),
  B: await setUp(positionals[1]!, 25599),
};

const random = seededRandom(5);
let nextId = 1;
const frameCount = 2_000;
const frameBuffers: RawData[] = [];
for (let frame = 0; frame < frameCount; frame++) {
  const requests = [];
  for (let index = 0; index < batchSize; index++) {
    const key = keyAt(Math.floor(random() * keyCount));
    const id = nextId++;
    requests.push(
      random() < 0.9
        ? `{"id":${id},"op":"read","key":"${key}"}`
        : `{"id":${id},"op":"update","key":"${key}","value":${jsonValueText}}`,
    );
  }
  frameBuffers.push(Buffer.from(`[${requests.join(',')}]`));
}

const microsPerOp: Record<'A' | 'B', number[]> = { A: [], B: [] };
for (let pass = 0; pass < passes; pass++) {
  for (const name of pass % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
    const side = sides[name];
    const repliesBefore = side.sent.replies;
    const cpuBefore = process.cpuUsage();
    for (let frame = 0; frame < framesPerPass; frame++) {
      side.connection.onMessage(frameBuffers[(frame + pass * 7) % frameCount]!, false);
      // The updates answer after a microtask or two; a frame per turn, as a loaded node sees them.
      if (frame % 8 === 7) await settle();
    }
    await settle();
    const cpu = process.cpuUsage(cpuBefore);
    if (side.sent.replies - repliesBefore !== framesPerPass) throw new Error(`${name}: replies missing`);
    microsPerOp[name].push((cpu.user + cpu.system) / (framesPerPass * batchSize));
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const name of ['A', 'B'] as const) {
  const list = microsPerOp[name];
  console.log(
    `${name} (${positionals[name === 'A' ? 0 : 1]}): us of CPU per op ${list.map((value) => value.toFixed(2)).join(' ')}; ` +
      `median ${median(list).toFixed(2)}; reply ${Math.round(sides[name].sent.bytes / sides[name].sent.replies)} bytes`,
  );
}
const lower = microsPerOp.B.filter((value, index) => value < microsPerOp.A[index]!).length;
console.log(`B below A in ${lower} of ${passes} passes`);
for (const side of Object.values(sides)) await side.close();
