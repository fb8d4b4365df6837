/**
 * ringkv's own work per replicated operation, without sockets: three DataNodes in one process, each with
 * the real store (IndexedStore over MemoryStore), HLC, ring, request table (PeerRequests) and peer inbox
 * (PeerInbox), joined by an in-memory wire that does what the peer links do: each envelope is JSON text,
 * everything one node queues for one peer in a turn leaves as one frame at setImmediate, and the receiver
 * decodes the frame with decodePeerFrame. W workers run updates (and, with `--read-fraction`, replica
 * reads as RingClient sends them: the record from one replica, digests from the others) against each
 * key's coordinator, closed loop, with rf 3 and quorums of 2.
 *
 * What it prints is CPU microseconds per operation of the one process: the data plane's JavaScript, the
 * part `rf3-shape.ts` does not have. It leaves out the client's WebSocket frames and the node's client
 * request decoding and reply text, which rf3-cost.ts measures with the rest.
 *   taskset -c 1 node --max-semi-space-size=8 --no-allocation-site-pretenuring --import tsx \
 *     bench/micro/replica-path.ts [--workers 50] [--seconds 5] [--read-fraction 0] [--rounds 3]
 * The V8 flags are the node processes' own (src/launcher/node-flags.ts): without the second, this process
 * lands in V8's allocation-site pretenuring in some runs and not others, and costs 40-50% more per
 * operation when it does. One core (taskset) for steadier figures. In-process: a `--cpu-prof` profile of
 * it is on-CPU time only, unlike the nodes' profiles on this VM (docs/PERFORMANCE.md, session 15).
 */
import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { HybridLogicalClock } from '../../packages/node/src/core/hlc.js';
import { IndexedStore } from '../../packages/node/src/core/indexed-store.js';
import { DataNode, type PeerRequester } from '../../packages/node/src/core/replica.js';
import { defaultTokens, Ring } from '../../packages/node/src/core/ring.js';
import { noneServed, PeerInbox } from '../../packages/node/src/io/peer-inbox.js';
import { PeerRequests } from '../../packages/node/src/io/peer-requests.js';
import { systemClock } from '../../packages/node/src/io/system-clock.js';
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';
import type { PeerEnvelope, PeerRequest } from '../../packages/protocol/src/index.js';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';
import { TurnOutbox } from '../lib/turn-outbox.js';

const keyspace = 100_000;
const ids = ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003'];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    workers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    'read-fraction': { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
  },
});
const workers = Number(values.workers);
const seconds = Number(values.seconds);
const readFraction = Number(values['read-fraction']);
const rounds = Number(values.rounds);
if (
  !(workers >= 1 && workers <= 10_000) ||
  !(seconds >= 1 && seconds <= 60) ||
  !(rounds >= 1 && rounds <= 20)
) {
  throw new Error('--workers 1-10000, --seconds 1-60, --rounds 1-20');
}
if (!(readFraction >= 0 && readFraction <= 1)) throw new Error('--read-fraction must be 0-1');

const ring = Ring.fromMembers(ids.map((id) => ({ id, tokens: defaultTokens(id, 128) })));
const logger = { debug() {}, info() {}, warn() {}, error: console.error };
const noSocket = { close() {} } as unknown as WebSocket;

interface SimNode {
  id: string;
  data: DataNode;
  store: IndexedStore;
  inbox: PeerInbox;
  requests: PeerRequests;
}

const nodes = new Map<string, SimNode>();
const wires = new Map<string, TurnOutbox>();
/** What one node queues for one peer in a turn, sent as one frame, as PeerLink does. */
function wire(from: string, to: string): TurnOutbox {
  const name = `${from}>${to}`;
  let link = wires.get(name);
  if (!link) {
    link = new TurnOutbox((frame) => nodes.get(to)!.inbox.onFrame(from, noSocket, frame));
    wires.set(name, link);
  }
  return link;
}

for (const id of ids) {
  const requests = new PeerRequests();
  const store = new IndexedStore(new MemoryStore());
  const peers: PeerRequester = {
    request(to, request, timeoutMs = 5000) {
      const opened = requests.open(to, request, timeoutMs);
      wire(id, to).push(JSON.stringify({ k: 'req', id: opened.id, body: request } satisfies PeerEnvelope));
      return opened.reply;
    },
  };
  const data = new DataNode({
    self: id,
    clock: systemClock,
    hlc: new HybridLogicalClock(systemClock),
    store,
    peers,
    placement: { ring: () => ring, isLive: () => true, pendingReplicas: () => [] },
    config: { replicationFactor: 3, readQuorum: 2, writeQuorum: 2, replicaTimeoutMs: 5000 },
    ready: () => true,
  });
  const inbox = new PeerInbox({
    requests,
    logger,
    counters: noneServed(),
    handlers: () => ({
      onMessage() {},
      // As ClusterNode wires it: an async function around the data plane's handler.
      onRequest: async (from, request: PeerRequest) => data.handle(from, request),
    }),
    reply: (peer, envelope) => wire(id, peer).push(JSON.stringify(envelope)),
  });
  nodes.set(id, { id, data, store, inbox, requests });
}

const keys = Array.from({ length: keyspace }, (_, index) => keyAt(index));
const coordinatorOf = keys.map((key) => ring.preferenceList(key, 3));
{
  // Every replica holds every key, with the same write, as after bench:cluster's preload.
  const writer = ids[0]!;
  let version = new HybridLogicalClock(systemClock).now();
  for (const key of keys) {
    const record = { valueJson: jsonValueText, version: version++, writer };
    for (const node of nodes.values()) await node.store.put(key, record);
  }
}

async function round(seconds: number): Promise<{ ops: number; cpuUs: number; wallMs: number }> {
  const random = seededRandom(7);
  const endAt = performance.now() + seconds * 1000;
  let ops = 0;
  let failures = 0;
  const startCpu = process.cpuUsage();
  const startMs = performance.now();
  async function worker(): Promise<void> {
    while (performance.now() < endAt) {
      const index = Math.floor(random() * keyspace);
      const key = keys[index]!;
      const replicas = coordinatorOf[index]!;
      try {
        if (random() < readFraction) {
          // RingClient's quorum read: the record from one replica, a digest from another, both at once.
          const first = nodes.get(replicas[0]!)!.data.readAsReplica(key);
          const second = nodes.get(replicas[1]!)!.data.readAsReplica(key);
          if (!first.record || !second.record) failures++;
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else {
          await nodes.get(replicas[0]!)!.data.execute('update', key, jsonValueText, 'quorum');
        }
        ops++;
      } catch (error) {
        failures++;
        if (failures < 5) console.error(error);
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, () => worker()));
  const cpu = process.cpuUsage(startCpu);
  if (failures > 0) console.error(`${failures} operations failed`);
  return { ops, cpuUs: cpu.user + cpu.system, wallMs: performance.now() - startMs };
}

await round(1); // warm-up
// Run with --trace-gc, the scavenges between these two lines over the rounds' operations say how much
// the data plane allocates per operation (a scavenge per semi-space filled).
console.log('timed rounds begin');
const perOp: number[] = [];
let totalOps = 0;
for (let index = 0; index < rounds; index++) {
  const { ops, cpuUs, wallMs } = await round(seconds);
  totalOps += ops;
  perOp.push(cpuUs / ops);
  console.log(
    `workers ${workers}, reads ${readFraction}: ${Math.round((ops / wallMs) * 1000)} ops/s, ` +
      `${(cpuUs / ops).toFixed(1)} us CPU per op`,
  );
}
console.log(`timed rounds end: ${totalOps} operations`);
const sorted = [...perOp].sort((a, b) => a - b);
const frames = [...wires.values()].reduce((sum, link) => sum + link.frames, 0);
console.log(
  `us CPU per op: min ${sorted[0]!.toFixed(1)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ` +
    `over ${rounds} rounds of ${seconds} s (${frames} frames in all)`,
);
