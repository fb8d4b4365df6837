/**
 * A test cluster of DataNodes in one process (coordinator.test.ts, single-round-write.test.ts).
 */
import { type PeerReply, type PeerRequest, RingKvError } from '@ringkv/protocol';
import { SimClock } from '../sim/clock.js';
import { MemoryStore } from '../store/memory-store.js';
import { HybridLogicalClock } from './hlc.js';
import { DataNode, type PeerRequester } from './replica.js';
import { defaultTokens, Ring } from './ring.js';

/**
 * Several DataNodes in one process, wired by direct calls (requests and replies pass through JSON, as on
 * the wire). `down` nodes refuse at once (a closed connection), `silent` ones never answer (a timeout).
 */
export function testCluster(count: number, config = { replicationFactor: 3, readQuorum: 2, writeQuorum: 2 }) {
  const joining = new Set<string>();
  const clock = new SimClock();
  const ids = Array.from({ length: count }, (_, i) => `10.0.0.${i + 1}:7000`);
  const ring = Ring.fromMembers(ids.map((id) => ({ id, tokens: defaultTokens(id, 16) })));
  const down = new Set<string>();
  const silent = new Set<string>();
  /** Crashed, but not yet noticed: looks live until a request to it fails (as the transport marks it then). */
  const crashed = new Set<string>();
  const nodes = new Map<string, DataNode>();
  const stores = new Map<string, MemoryStore>();
  /** Every request sent, in order: who sent what type to whom. */
  const sent: Array<{ from: string; to: string; type: PeerRequest['type'] }> = [];
  const peersOf = (from: string): PeerRequester => ({
    request(to, request, timeoutMs = 1000) {
      sent.push({ from, to, type: request.type });
      if (down.has(to) || down.has(from))
        return Promise.reject(new RingKvError('UNAVAILABLE', `${to} is down`));
      if (crashed.has(to)) {
        down.add(to);
        return Promise.reject(new RingKvError('UNAVAILABLE', `${to} is unreachable: connection refused`));
      }
      if (silent.has(to)) {
        return new Promise((_, reject) =>
          clock.setTimer(timeoutMs, () => reject(new RingKvError('TIMEOUT', `${to} is silent`))),
        );
      }
      const copy = JSON.parse(JSON.stringify(request)) as PeerRequest;
      // Served in the sender's call, as before; a reply given at once or later, and a throw, all settle it.
      return new Promise<PeerReply>((resolve) => resolve(nodes.get(to)!.handle(from, copy))).then((reply) =>
        JSON.parse(JSON.stringify(reply)),
      );
    },
  });
  for (const id of ids) {
    const store = new MemoryStore();
    stores.set(id, store);
    const node = new DataNode({
      self: id,
      clock,
      hlc: new HybridLogicalClock(clock),
      store,
      peers: peersOf(id),
      placement: { ring: () => ring, isLive: (node) => !down.has(node) },
      config: { ...config, replicaTimeoutMs: 1000 },
      hintDeliveryIntervalMs: 100,
      ready: () => !joining.has(id),
    });
    node.start();
    nodes.set(id, node);
  }
  /** Runs simulated time until `promise` settles (bounded). */
  async function settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    for (let step = 0; step < 10_000 && !done; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!done) clock.step();
    }
    return watched;
  }
  async function runFor(ms: number): Promise<void> {
    const until = clock.nowMs() + ms;
    while ((clock.nextAtMs() ?? Number.POSITIVE_INFINITY) <= until) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.step();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const node = (index: number) => nodes.get(ids[index]!)!;
  return { clock, ids, ring, down, silent, crashed, joining, nodes, stores, node, settle, runFor, sent };
}
