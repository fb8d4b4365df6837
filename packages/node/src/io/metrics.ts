/**
 * Prometheus metrics for `GET /metrics` (prom-client) and the per-second figures of the `stats` topic.
 * Each node has its own registry, so several nodes can run in one process (tests, `ringkv cluster`).
 * Every request is recorded once, at the edge that received it, by `recordOp`.
 */
import { dataOps, type RebalanceStatus } from '@ringkv/protocol';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ReclamationStatus } from '../core/sweeper.js';
import { OpWindow } from './op-window.js';
import type { PeerServedCounters } from './peer-inbox.js';

export type Transport = 'http' | 'ws';

export interface MetricsSources {
  /** Live keys and their bytes held by this node. */
  storeCounts(): { keys: number; bytes: number };
  /** This node's streaming progress on ring changes (core/rebalance.ts), when it reports one. */
  rebalance?(): RebalanceStatus | undefined;
  /** What storage reclamation did since the node started (core/sweeper.ts), when it runs. */
  reclamation?(): ReclamationStatus | undefined;
  /** Replication totals since the node started (core/replica-batch.ts, core/coordinator.ts). */
  replication?(): ReplicationCounts | undefined;
  /** What this node answered other nodes since it started (io/peer-inbox.ts, `PeerTransport.counters`). */
  peerServed?(): PeerServedCounters | undefined;
  /** Frames and messages this node sent other nodes since it started (`PeerTransport.stats`). */
  peerLinks?(): PeerLinkCounts | undefined;
}

export interface PeerLinkCounts {
  framesSent: number;
  messagesSent: number;
}

export interface ReplicationCounts {
  readBatches: number;
  readKeys: number;
  writeBatches: number;
  writeKeys: number;
  readRepairs: number;
  hintsStored: number;
  hintsDropped: number;
  singleRoundWrites: number;
  singleRoundRefused: number;
}

// Keys per batch (keys / batches) says how much the per-turn batching saves: 1 means none.
const replicationGauges: Array<[name: string, field: keyof ReplicationCounts, help: string]> = [
  ['ringkv_replica_read_batches', 'readBatches', 'Replica-read batches sent to other nodes, total'],
  ['ringkv_replica_read_keys', 'readKeys', 'Keys in the replica-read batches sent, total'],
  ['ringkv_replica_write_batches', 'writeBatches', 'Replica-write batches sent to other nodes, total'],
  ['ringkv_replica_write_keys', 'writeKeys', 'Records in the replica-write batches sent, total'],
  ['ringkv_read_repairs', 'readRepairs', 'Stale replicas this coordinator repaired after reads, total'],
  ['ringkv_hints_stored', 'hintsStored', 'Hints kept for replicas that missed a write, total'],
  ['ringkv_hints_dropped', 'hintsDropped', 'Hints this node could not keep anywhere, total'],
  [
    'ringkv_single_round_writes',
    'singleRoundWrites',
    'Creates, updates and deletes this coordinator decided and wrote in one round, total',
  ],
  [
    'ringkv_single_round_refused',
    'singleRoundRefused',
    'Single-round write attempts no replica applied (decided on the refusals instead), total',
  ],
];

// The serving side of the replication figures above: a batch is one request and N keys.
const peerServedGauges: Array<[name: string, field: keyof PeerServedCounters, help: string]> = [
  [
    'ringkv_peer_requests_served',
    'peerRequestsServed',
    'Requests from other nodes answered, total (a replica-reads or replica-writes batch counts once)',
  ],
  [
    'ringkv_replica_read_keys_served',
    'replicaReadKeysServed',
    'Replica reads answered for coordinators, total (every key of a batch counts)',
  ],
  [
    'ringkv_replica_write_keys_served',
    'replicaWriteKeysServed',
    'Replica writes answered for coordinators, total (every record of a batch counts)',
  ],
];

// Messages per frame (messages / frames) says how much the per-turn coalescing of peer traffic saves.
const peerLinkGauges: Array<[name: string, field: keyof PeerLinkCounts, help: string]> = [
  ['ringkv_peer_frames_sent', 'framesSent', 'WebSocket frames sent to other nodes, total'],
  ['ringkv_peer_messages_sent', 'messagesSent', 'Requests, replies and gossip in those frames, total'],
];

// Totals since the node started, as gauges read at scrape time (like the rebalance figures above).
const reclamationGauges: Array<[name: string, field: keyof ReclamationStatus, help: string]> = [
  [
    'ringkv_reclaim_tombstones_collected',
    'tombstonesCollected',
    'Tombstones collected after the grace period',
  ],
  [
    'ringkv_reclaim_records_cleaned',
    'recordsCleaned',
    'Records dropped from ranges this node no longer replicates',
  ],
  [
    'ringkv_reclaim_tombstones_refused',
    'tombstonesRefused',
    'Expired tombstones refused on arrival for keys this node does not hold',
  ],
  [
    'ringkv_reclaim_hints_expired',
    'hintsExpired',
    'Hints dropped undelivered, older than half the grace period',
  ],
  ['ringkv_reclaim_passes', 'passes', 'Full passes of the sweeper over the local store'],
  ['ringkv_reclaim_failed_ticks', 'failedTicks', 'Sweeper ticks that failed (the store refused a purge)'],
];

const rebalanceGauges: Array<[name: string, field: keyof RebalanceStatus, help: string]> = [
  [
    'ringkv_rebalance_ranges_pending',
    'rangesPending',
    'Token ranges this node still has to stream in or out',
  ],
  ['ringkv_rebalance_keys_moved', 'keysMoved', 'Records this node streamed on ring changes, total'],
  [
    'ringkv_rebalance_bytes_moved',
    'bytesMoved',
    'Key and value bytes this node streamed on ring changes, total',
  ],
  ['ringkv_rebalance_keys_per_second', 'keysPerSecond', 'Records per second while streaming'],
  ['ringkv_rebalance_bytes_per_second', 'bytesPerSecond', 'Bytes per second while streaming'],
];

// Buckets from 50 us to 5 s: a local read is tens of microseconds, a quorum write a few milliseconds.
const latencyBucketsSeconds = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** One (op, transport)'s requests: outcomes and latency buckets as plain numbers, cheap to bump. */
class OpTally {
  ok = 0;
  /** Error codes (rare) by code. */
  readonly failures = new Map<string, number>();
  /** Requests per bucket, not cumulative: index i counts durations in (bound[i-1], bound[i]]. */
  readonly buckets = new Float64Array(latencyBucketsSeconds.length);
  count = 0;
  sumSeconds = 0;

  constructor(
    readonly op: string,
    readonly transport: Transport,
  ) {}

  record(code: string, seconds: number): void {
    if (code === 'ok') this.ok++;
    else this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
    this.count++;
    this.sumSeconds += seconds;
    let index = 0;
    while (index < latencyBucketsSeconds.length && seconds > latencyBucketsSeconds[index]!) index++;
    if (index < latencyBucketsSeconds.length) this.buckets[index]!++;
  }
}

type HistogramValue = { labels: Record<string, string | number>; value: number; metricName: string };

/**
 * `ringkv_request_duration_seconds` as prom-client's registry expects a histogram (the same exposition
 * text its Histogram writes), built from the tallies at scrape time instead of observed per request.
 */
function durationHistogram(tallies: () => Iterable<OpTally>) {
  const name = 'ringkv_request_duration_seconds';
  const help = 'Time from a decoded request to its answer, by operation and transport';
  const get = async () => {
    const values: HistogramValue[] = [];
    for (const tally of tallies()) {
      const labels = { op: tally.op, transport: tally.transport };
      let cumulative = 0;
      latencyBucketsSeconds.forEach((bound, index) => {
        cumulative += tally.buckets[index]!;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: tally.count, metricName: `${name}_bucket` });
      values.push({ labels, value: tally.sumSeconds, metricName: `${name}_sum` });
      values.push({ labels, value: tally.count, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram' as const, values, aggregator: 'sum' as const };
  };
  return { name, help, type: 'histogram', aggregator: 'sum', get, reset: () => {} };
}

/** One gauge per listed field of a status object, read when scraped (0 while there is no status). */
function totalsGauges<K extends string>(
  registry: Registry,
  gauges: ReadonlyArray<[name: string, field: K, help: string]>,
  read: () => Record<K, number> | undefined,
): void {
  for (const [name, field, help] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read()?.[field] ?? 0);
      },
    });
  }
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly window: OpWindow;
  private readonly connections: Gauge<'kind'>;
  private readonly rejected: Counter<'reason'>;
  private readonly eventsDropped: Counter<'topic'>;
  /**
   * Every request is tallied here with plain arithmetic (prom-client's label lookups and bucket search
   * cost about 3% of a node's CPU per request); the registry reads the tallies when scraped.
   */
  private readonly tallies: Record<Transport, Map<string, OpTally>> = { http: new Map(), ws: new Map() };

  constructor(sources: MetricsSources, nowMs: () => number = Date.now) {
    const registry = this.registry;
    this.window = new OpWindow([...dataOps, 'read_replica'], nowMs);
    collectDefaultMetrics({ register: registry });
    const allTallies = () => [...this.tallies.ws.values(), ...this.tallies.http.values()];
    new Counter({
      name: 'ringkv_requests_total',
      help: 'Client requests answered, by operation, transport and outcome (ok or the error code)',
      labelNames: ['op', 'transport', 'code'],
      registers: [registry],
      collect() {
        // Totals only grow, so the counter is rebuilt from them at each scrape.
        this.reset();
        for (const { op, transport, ok, failures } of allTallies()) {
          if (ok > 0) this.labels(op, transport, 'ok').inc(ok);
          for (const [code, count] of failures) this.labels(op, transport, code).inc(count);
        }
      },
    });
    // prom-client's types name only its own classes; its registry needs no more than name, get and reset.
    registry.registerMetric(
      durationHistogram(allTallies) as unknown as Parameters<Registry['registerMetric']>[0],
    );
    this.connections = new Gauge({
      name: 'ringkv_connections',
      help: 'Open client connections: tcp (every HTTP connection, WebSocket ones included) and ws (WebSocket)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'ringkv_rejected_total',
      help: 'Connections and frames refused at the edge, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.eventsDropped = new Counter({
      name: 'ringkv_events_dropped_total',
      help: 'Pushed events dropped because a subscriber was not reading',
      labelNames: ['topic'],
      registers: [registry],
    });
    new Gauge({
      name: 'ringkv_keys',
      help: 'Live keys stored on this node (tombstones excluded)',
      registers: [registry],
      collect() {
        this.set(sources.storeCounts().keys);
      },
    });
    new Gauge({
      name: 'ringkv_bytes',
      help: 'Bytes of live keys and values stored on this node',
      registers: [registry],
      collect() {
        this.set(sources.storeCounts().bytes);
      },
    });
    totalsGauges(registry, rebalanceGauges, () => sources.rebalance?.());
    totalsGauges(registry, reclamationGauges, () => sources.reclamation?.());
    totalsGauges(registry, replicationGauges, () => sources.replication?.());
    totalsGauges(registry, peerServedGauges, () => sources.peerServed?.());
    totalsGauges(registry, peerLinkGauges, () => sources.peerLinks?.());
  }

  recordOp(op: string, transport: Transport, code: string, durationMs: number): void {
    const byOp = this.tallies[transport];
    let tally = byOp.get(op);
    if (tally === undefined) {
      tally = new OpTally(op, transport);
      byOp.set(op, tally);
    }
    tally.record(code, durationMs / 1000);
    this.window.record(op, durationMs);
  }

  connectionOpened(kind: 'tcp' | 'ws'): void {
    this.connections.inc({ kind });
  }

  connectionClosed(kind: 'tcp' | 'ws'): void {
    this.connections.dec({ kind });
  }

  reject(reason: string): void {
    this.rejected.inc({ reason });
  }

  eventDropped(topic: string): void {
    this.eventsDropped.inc({ topic });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
