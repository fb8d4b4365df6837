/**
 * The set-up shared by ws-batch.ts and ws-batch-ab.ts: a real ClientConnection in front of a real
 * ClusterNode (rf 1) and MemoryStore, preloaded with 100,000 keys through the same path, and the batch-100
 * frames (90% reads, 10% updates) both feed it. The node's modules are passed in, so that ws-batch-ab.ts
 * can build one node from each of two trees in one process.
 */
import type { RawData, WebSocket } from 'ws';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';

export interface NodeModules {
  cluster: typeof import('../../packages/node/src/cluster-node.js');
  dispatch: typeof import('../../packages/node/src/io/dispatch.js');
  logger: typeof import('../../packages/node/src/io/logger.js');
  metrics: typeof import('../../packages/node/src/io/metrics.js');
  clock: typeof import('../../packages/node/src/io/system-clock.js');
  connection: typeof import('../../packages/node/src/io/ws-connection.js');
  store: typeof import('../../packages/node/src/store/memory-store.js');
}

export const keyCount = 100_000;
export const batchSize = 100;

export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One node behind one connection, preloaded (500 creates a frame); `sent` counts the replies and bytes. */
export async function setUpBatchNode(modules: NodeModules, port: number) {
  const nodeId = `127.0.0.1:${port}`;
  const logger = modules.logger.createLogger(nodeId, 'warn');
  const store = new modules.store.MemoryStore();
  const metrics = new modules.metrics.NodeMetrics({ storeCounts: () => ({ keys: 0, bytes: 0 }) });
  const node = new modules.cluster.ClusterNode({
    nodeId,
    store,
    clock: modules.clock.systemClock,
    random: modules.cluster.systemRandom,
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
  const dispatcher = new modules.dispatch.Dispatcher(node, metrics, logger, node.data);
  const sent = { replies: 0, bytes: 0 };
  // The socket is the only stand-in (`ws` is not ours): a reply is encoded to UTF-8 as ws sends it, then dropped.
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
  const connection = new modules.connection.ClientConnection(socket, 1, {
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

/** 2,000 frames of `batchSize` requests as ws-load.ts writes them, built before any timing. */
export function batchFrames(): RawData[] {
  const random = seededRandom(5);
  let nextId = 1;
  const frames: RawData[] = [];
  for (let frame = 0; frame < 2_000; frame++) {
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
    frames.push(Buffer.from(`[${requests.join(',')}]`));
  }
  return frames;
}
