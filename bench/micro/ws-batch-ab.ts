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
import { batchFrames, batchSize, type NodeModules, settle, setUpBatchNode } from './ws-batch-node.js';

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

async function load<T>(tree: string, file: string): Promise<T> {
  return (await import(path.resolve(tree, 'packages/node/src', file))) as T;
}

/** One tree's node behind one connection, preloaded through the same path. */
async function setUp(tree: string, port: number) {
  const modules: NodeModules = {
    cluster: await load(tree, 'cluster-node.ts'),
    dispatch: await load(tree, 'io/dispatch.ts'),
    logger: await load(tree, 'io/logger.ts'),
    metrics: await load(tree, 'io/metrics.ts'),
    clock: await load(tree, 'io/system-clock.ts'),
    connection: await load(tree, 'io/ws-connection.ts'),
    store: await load(tree, 'store/memory-store.ts'),
  };
  return setUpBatchNode(modules, port);
}

const sides = {
  A: await setUp(positionals[0]!, 25598),
  B: await setUp(positionals[1]!, 25599),
};

const frameBuffers = batchFrames();
const frameCount = frameBuffers.length;

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
