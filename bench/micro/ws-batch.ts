/**
 * In-process micro-benchmark of a node's whole batched path: a WebSocket batch frame of 100 requests (90%
 * reads, 10% updates over 100,000 preloaded 16-byte keys, 100-byte values: bench:cluster's batch100 cell)
 * handed to a real ClientConnection in front of a real ClusterNode (rf 1) and MemoryStore, through the
 * Dispatcher, decode and reply building. Only the socket is a stand-in (`ws` is not ours): `send` encodes
 * the reply to UTF-8 bytes as ws does, and the bytes are dropped. Prints the process's CPU time per
 * operation (all its threads, the GC's helpers too, as `ops per server CPU-s` counts it), the elapsed time
 * and the garbage collections per 100,000 operations, for several passes.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/ws-batch.ts [--frames 5000] [--passes 5]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RawData, WebSocket } from 'ws';
import { ClusterNode, systemRandom } from '../../packages/node/src/cluster-node.js';
import { Dispatcher } from '../../packages/node/src/io/dispatch.js';
import { createLogger } from '../../packages/node/src/io/logger.js';
import { NodeMetrics } from '../../packages/node/src/io/metrics.js';
import { systemClock } from '../../packages/node/src/io/system-clock.js';
import { ClientConnection } from '../../packages/node/src/io/ws-connection.js';
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '5000' }, passes: { type: 'string', default: '5' } },
});
const frames = Number(values.frames);
const passes = Number(values.passes);
const keyCount = 100_000;
const batchSize = 100;

const nodeId = '127.0.0.1:25599';
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

let replyBytes = 0;
let replies = 0;
const socket = {
  OPEN: 1,
  readyState: 1,
  bufferedAmount: 0,
  send(text: string) {
    replyBytes += Buffer.from(text).length;
    replies++;
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

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

// Preload through the same path, 500 creates a frame.
for (let start = 0; start < keyCount; start += 500) {
  const requests = [];
  for (let index = start; index < start + 500; index++) {
    requests.push(`{"id":${index},"op":"create","key":"${keyAt(index)}","value":${jsonValueText}}`);
  }
  connection.onMessage(Buffer.from(`[${requests.join(',')}]`), false);
  await settle();
}

// Frames as ws-load.ts writes them, built before timing (the generator's cost is not ours).
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

let gcCount = 0;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcCount++;
    gcMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

for (let pass = 1; pass <= passes; pass++) {
  const gcCountBefore = gcCount;
  const gcMsBefore = gcMs;
  const repliesBefore = replies;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  for (let frame = 0; frame < frames; frame++) {
    connection.onMessage(frameBuffers[frame % frameCount]!, false);
    // The updates answer after a microtask or two; a frame per turn, as a loaded node sees them.
    if (frame % 8 === 7) await settle();
  }
  await settle();
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const cpu = process.cpuUsage(cpuBefore);
  const operations = frames * batchSize;
  if (replies - repliesBefore !== frames)
    throw new Error(`${replies - repliesBefore} replies for ${frames} frames`);
  console.log(
    `pass ${pass}: ${((cpu.user + cpu.system) / operations).toFixed(3)} us of CPU per op ` +
      `(${(elapsedNs / operations / 1000).toFixed(3)} elapsed), ` +
      `GC ${(((gcCount - gcCountBefore) * 100_000) / operations).toFixed(1)} per 100k ops ` +
      `(${(gcMs - gcMsBefore).toFixed(0)} ms), reply ${Math.round(replyBytes / replies)} bytes`,
  );
}
await node.close();
await store.close();
