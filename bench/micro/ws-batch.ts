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
import * as cluster from '../../packages/node/src/cluster-node.js';
import * as dispatch from '../../packages/node/src/io/dispatch.js';
import * as logger from '../../packages/node/src/io/logger.js';
import * as metrics from '../../packages/node/src/io/metrics.js';
import * as clock from '../../packages/node/src/io/system-clock.js';
import * as connectionModule from '../../packages/node/src/io/ws-connection.js';
import * as store from '../../packages/node/src/store/memory-store.js';
import { batchFrames, batchSize, settle, setUpBatchNode } from './ws-batch-node.js';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '5000' }, passes: { type: 'string', default: '5' } },
});
const frames = Number(values.frames);
const passes = Number(values.passes);

const modules = { cluster, dispatch, logger, metrics, clock, connection: connectionModule, store };
const { connection, sent, close } = await setUpBatchNode(modules, 25599);
const frameBuffers = batchFrames();

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
  const repliesBefore = sent.replies;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  for (let frame = 0; frame < frames; frame++) {
    connection.onMessage(frameBuffers[frame % frameBuffers.length]!, false);
    // The updates answer after a microtask or two; a frame per turn, as a loaded node sees them.
    if (frame % 8 === 7) await settle();
  }
  await settle();
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const cpu = process.cpuUsage(cpuBefore);
  const operations = frames * batchSize;
  if (sent.replies - repliesBefore !== frames)
    throw new Error(`${sent.replies - repliesBefore} replies for ${frames} frames`);
  console.log(
    `pass ${pass}: ${((cpu.user + cpu.system) / operations).toFixed(3)} us of CPU per op ` +
      `(${(elapsedNs / operations / 1000).toFixed(3)} elapsed), ` +
      `GC ${(((gcCount - gcCountBefore) * 100_000) / operations).toFixed(1)} per 100k ops ` +
      `(${(gcMs - gcMsBefore).toFixed(0)} ms), reply ${Math.round(sent.bytes / sent.replies)} bytes`,
  );
}
await close();
