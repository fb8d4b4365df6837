/**
 * Prometheus metrics for `GET /metrics` (prom-client) and the per-second figures of the `stats` topic.
 * Each node has its own registry, so several nodes can run in one process (tests, `ringkv cluster`).
 * Every request is recorded once, at the edge that received it, by `recordOp`.
 */
import { dataOps, type RebalanceStatus } from '@ringkv/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { OpWindow } from './op-window.js';

export type Transport = 'http' | 'ws';

export interface MetricsSources {
  /** Live keys and their bytes held by this node. */
  storeCounts(): { keys: number; bytes: number };
  /** This node's streaming progress on ring changes (core/rebalance.ts), when it reports one. */
  rebalance?(): RebalanceStatus | undefined;
}

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

export class NodeMetrics {
  readonly registry = new Registry();
  readonly window: OpWindow;
  private readonly requests: Counter<'op' | 'transport' | 'code'>;
  private readonly durations: Histogram<'op' | 'transport'>;
  private readonly connections: Gauge<'kind'>;
  private readonly rejected: Counter<'reason'>;
  private readonly eventsDropped: Counter<'topic'>;
  // Label lookups hash their arguments; the hot path reuses the children instead.
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(value: number): void }>();

  constructor(sources: MetricsSources, nowMs: () => number = Date.now) {
    const registry = this.registry;
    this.window = new OpWindow(dataOps, nowMs);
    collectDefaultMetrics({ register: registry });
    this.requests = new Counter({
      name: 'ringkv_requests_total',
      help: 'Client requests answered, by operation, transport and outcome (ok or the error code)',
      labelNames: ['op', 'transport', 'code'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'ringkv_request_duration_seconds',
      help: 'Time from a decoded request to its answer, by operation and transport',
      labelNames: ['op', 'transport'],
      buckets: latencyBucketsSeconds,
      registers: [registry],
    });
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
    for (const [name, field, help] of rebalanceGauges) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(sources.rebalance?.()?.[field] ?? 0);
        },
      });
    }
  }

  recordOp(op: string, transport: Transport, code: string, durationMs: number): void {
    const requestKey = `${op} ${transport} ${code}`;
    let counter = this.requestChildren.get(requestKey);
    if (counter === undefined) {
      counter = this.requests.labels(op, transport, code);
      this.requestChildren.set(requestKey, counter);
    }
    counter.inc();
    const durationKey = `${op} ${transport}`;
    let histogram = this.durationChildren.get(durationKey);
    if (histogram === undefined) {
      histogram = this.durations.labels(op, transport);
      this.durationChildren.set(durationKey, histogram);
    }
    histogram.observe(durationMs / 1000);
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
