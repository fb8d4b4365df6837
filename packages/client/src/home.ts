/**
 * The home node: where unkeyed calls and subscriptions go, and where keyed calls fall back to. It is the
 * first of the given URLs that accepts a connection; after a drop, the next reachable one (the given URLs
 * first, then every live node learned from the ring). Becoming home means subscribing to every topic the
 * listeners want (plus `ring` and `nodes` for routing) and, when ring-aware, reloading ring and nodes.
 */
import { type NodesResult, RingKvError, type RingResult, type Topic } from '@ringkv/protocol';
import type { StateTracker } from './client-state.js';
import type { Connection } from './connection.js';
import type { NodePool } from './node-pool.js';
import type { ResolvedOptions } from './options.js';
import type { Router } from './router.js';
import type { Subscriptions } from './subscriptions.js';

export interface HomeDeps {
  seeds: readonly string[];
  options: ResolvedOptions;
  pool: NodePool;
  router: Router;
  subscriptions: Subscriptions;
  tracker: StateTracker;
  isClosed: () => boolean;
  onBackgroundError: (error: unknown) => void;
}

export class Home {
  address: string;
  private readonly deps: HomeDeps;
  private opening: Promise<Connection> | undefined;
  private topics = new Set<Topic>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: HomeDeps) {
    this.deps = deps;
    this.address = deps.seeds[0]!;
  }

  /** The open home connection, if any (no connecting). */
  current(): Connection | undefined {
    return this.deps.pool.get(this.address);
  }

  stop(): void {
    clearTimeout(this.reconnectTimer);
  }

  /** The open home connection, or the first node that accepts one (seeds first, then known nodes). */
  connection(deadlineMs: number): Promise<Connection> {
    const open = this.deps.pool.get(this.address);
    if (open) return Promise.resolve(open);
    this.opening ??= this.findHome(deadlineMs).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private candidates(): string[] {
    const all = [...new Set([this.address, ...this.deps.seeds, ...this.deps.router.knownNodes()])];
    return all.filter((address) => address === this.address || this.deps.router.isLive(address));
  }

  private async findHome(deadlineMs: number): Promise<Connection> {
    let lastError: unknown;
    // Bounded in time by the deadline and in count by the rounds; each round tries every candidate once.
    for (let round = 0; round < 50 && Date.now() < deadlineMs && !this.deps.isClosed(); round++) {
      const candidates = this.candidates();
      for (const address of candidates) {
        if (!this.deps.pool.canConnect(address)) continue;
        try {
          const connection = await this.deps.pool.connect(address);
          await this.adopt(address, connection);
          return connection;
        } catch (error) {
          if (error instanceof RingKvError && ['UNAUTHORIZED', 'FORBIDDEN'].includes(error.code)) {
            this.deps.tracker.set('unauthorized', address);
            throw error;
          }
          lastError = error;
          this.deps.tracker.failedAttempt(address);
        }
      }
      const waitMs = Math.min(this.deps.pool.earliestRetryMs(candidates), deadlineMs) - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
    throw new RingKvError('UNAVAILABLE', `no node reachable among ${this.candidates().join(', ')}${reason}`, {
      cause: lastError,
    });
  }

  /** Makes `address` home: subscribes it to every wanted topic and, when routing, reloads the ring. */
  private async adopt(address: string, connection: Connection): Promise<void> {
    this.address = address;
    this.topics = new Set();
    await this.syncTopics(connection);
    if (!this.deps.options.ringAware) {
      this.deps.tracker.set('open', address);
      return;
    }
    const deadlineMs = Date.now() + this.deps.options.requestTimeoutMs;
    const [ring, nodes] = await Promise.all([
      connection.request({ op: 'ring' }, deadlineMs),
      connection.request({ op: 'nodes' }, deadlineMs),
    ]);
    this.deps.router.updateRing(ring as RingResult);
    this.deps.router.updateNodes(nodes as NodesResult);
    this.deps.tracker.set('open', address);
  }

  /** Brings the home connection's subscriptions in line with what listeners want. */
  async syncTopics(connection: Connection): Promise<void> {
    const wanted = this.deps.subscriptions.topics();
    const added = [...wanted].filter((topic) => !this.topics.has(topic));
    const removed = [...this.topics].filter((topic) => !wanted.has(topic));
    const deadlineMs = Date.now() + this.deps.options.requestTimeoutMs;
    if (added.length > 0) await connection.request({ op: 'subscribe', topics: added }, deadlineMs);
    if (removed.length > 0) await connection.request({ op: 'unsubscribe', topics: removed }, deadlineMs);
    this.topics = wanted;
  }

  /** Home lost: with listeners waiting for events, move to another node now rather than at the next call. */
  onConnectionClosed(address: string): void {
    if (this.deps.isClosed() || address !== this.address) return;
    this.topics = new Set();
    this.deps.tracker.set('reconnecting', address);
    if (this.deps.subscriptions.topics().size === 0) return;
    const reconnect = () => {
      this.reconnectTimer = undefined;
      if (this.deps.isClosed() || this.deps.pool.get(this.address)) return;
      this.connection(Date.now() + this.deps.options.requestTimeoutMs).catch((error: unknown) => {
        this.deps.onBackgroundError(error);
        if (!this.deps.isClosed())
          this.reconnectTimer = setTimeout(reconnect, this.deps.options.reconnectDelayMsMax);
      });
    };
    reconnect();
  }
}
