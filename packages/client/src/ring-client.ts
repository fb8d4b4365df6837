/**
 * RingClient: the ringkv client over the WebSocket API (SPEC 3). See docs/CLIENT.md for the behaviour in
 * full; in short:
 * - every call is pipelined; calls made in the same turn of the event loop share one batch frame;
 * - each keyed call goes to the key's coordinator (ring-aware routing), others to the "home" node;
 * - a quorum read asks the key's replicas directly and takes their answer when they agree, else it goes to
 *   the coordinator too (replica-reads.ts);
 * - a dropped connection fails over to another node; calls that never left the client, and read-only
 *   calls, are re-sent; a write that was sent is not (it may have been applied) and fails UNAVAILABLE.
 */
import {
  type AddNodeResult,
  type Consistency,
  checkKey,
  checkNodeAddress,
  type DashboardEvent,
  type DeleteResult,
  encodeValue,
  type GetNodeResult,
  type NodesResult,
  type RecordResult,
  type RemoveNodeResult,
  RingKvError,
  type RingResult,
  type Topic,
} from '@ringkv/protocol';
import { Call, type CallSender } from './call.js';
import { type ClientState, type StateListener, StateTracker } from './client-state.js';
import type { Connection, RequestBody } from './connection.js';
import { Home } from './home.js';
import { NodePool } from './node-pool.js';
import { parseNodeUrl, type ResolvedOptions, type RingClientOptions, resolveOptions } from './options.js';
import { type ReplicaReadCounters, ReplicaReads } from './replica-reads.js';
import { Router } from './router.js';
import { type EventListener, Subscriptions } from './subscriptions.js';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.js';

export interface CallOptions {
  consistency?: Consistency;
}

export interface RingClientCounters extends ReplicaReadCounters {
  /** Keyed calls sent straight to the key's coordinator. */
  routed: number;
  /** Keyed calls sent to the home node because the coordinator was unknown or unreachable. */
  fallbacks: number;
  /** Calls re-sent after their connection dropped. */
  retried: number;
  /** Failures in the background (resubscribing, a throwing listener); the last is in `lastBackgroundError`. */
  backgroundErrors: number;
}

const readOnlyOps: ReadonlySet<string> = new Set([
  'read',
  'get_node',
  'nodes',
  'ring',
  'subscribe',
  'unsubscribe',
]);

export class RingClient {
  readonly counters: RingClientCounters = {
    routed: 0,
    fallbacks: 0,
    retried: 0,
    backgroundErrors: 0,
    replicaReads: 0,
    replicaReadFallbacks: 0,
  };
  lastBackgroundError: Error | undefined;
  private readonly options: ResolvedOptions;
  private readonly pool: NodePool;
  private readonly router = new Router();
  private readonly subscriptions: Subscriptions;
  private readonly homeNode: Home;
  /** Set when quorum reads may ask the replicas directly (ring-aware, `replicaReads` on). */
  private readonly replicaReads: ReplicaReads | undefined;
  private closed = false;
  private readonly tracker: StateTracker;

  private constructor(
    seeds: string[],
    secure: boolean,
    options: ResolvedOptions,
    WebSocket: WebSocketConstructor,
  ) {
    this.options = options;
    this.tracker = new StateTracker(seeds[0]!, (error) => this.noteBackgroundError(error));
    this.subscriptions = new Subscriptions(options.ringAware ? ['ring', 'nodes'] : []);
    this.pool = new NodePool({
      options,
      secure,
      WebSocket,
      onEvent: (address, event) => this.onEvent(address, event),
      onClose: (address) => this.homeNode.onConnectionClosed(address),
      // Writes wait for another replica's acknowledgement: reads should not wait in their batches.
      readsApart: () => (this.router.ring?.writeQuorum ?? 1) > 1,
    });
    this.homeNode = new Home({
      seeds,
      options,
      pool: this.pool,
      router: this.router,
      subscriptions: this.subscriptions,
      tracker: this.tracker,
      isClosed: () => this.closed,
      onBackgroundError: (error) => this.noteBackgroundError(error),
    });
    if (options.ringAware && options.replicaReads) {
      this.replicaReads = new ReplicaReads({
        router: this.router,
        pool: this.pool,
        replicaReadTimeoutMs: options.replicaReadTimeoutMs,
        counters: this.counters,
        onBackgroundError: (error) => this.noteBackgroundError(error),
        // Replicas that do not agree (or cannot answer): the coordinator reads a quorum and repairs.
        askCoordinator: (key, consistency, resolve, reject) =>
          (this.call(withConsistency({ op: 'read', key }, consistency), key) as Promise<RecordResult>).then(
            resolve,
            reject,
          ),
      });
    }
  }

  /**
   * Connects to the first reachable node among `urls` (`http://HOST:PORT`, `ws://HOST:PORT/ws` or
   * `HOST:PORT`) and, when ring-aware, loads the ring before resolving.
   */
  static async connect(
    urls: string | readonly string[],
    options: RingClientOptions = {},
  ): Promise<RingClient> {
    const list = typeof urls === 'string' ? urls.split(',') : [...urls];
    if (list.length === 0) throw new RingKvError('BAD_REQUEST', 'urls must name at least one node');
    const parsed = list.map(parseNodeUrl);
    const secure = parsed[0]!.secure;
    const seeds = [...new Set(parsed.map((entry) => entry.address))];
    const resolved = resolveOptions(options);
    const WebSocket = await resolveWebSocket(options.WebSocket);
    const client = new RingClient(seeds, secure, resolved, WebSocket);
    try {
      await client.homeNode.connection(Date.now() + resolved.requestTimeoutMs);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  create(key: string, value: unknown, options?: CallOptions): Promise<RecordResult> {
    checkKey(key);
    const valueJson = encodeValue(value);
    return this.write(
      key,
      this.call(withConsistency({ op: 'create', key, value }, this.consistency(options)), key, valueJson),
    ) as Promise<RecordResult>;
  }

  read(key: string, options?: CallOptions): Promise<RecordResult> {
    checkKey(key);
    const consistency = this.consistency(options);
    const replicas = this.replicaReads?.plan(key, consistency ?? 'quorum') ?? 0;
    if (replicas > 0) {
      if (this.closed) return Promise.reject(new RingKvError('UNAVAILABLE', 'the client is closed'));
      const deadlineMs = Date.now() + this.options.requestTimeoutMs;
      return new Promise((resolve, reject) =>
        this.replicaReads!.read(key, replicas, consistency, deadlineMs, resolve, reject),
      );
    }
    return this.call(withConsistency({ op: 'read', key }, consistency), key) as Promise<RecordResult>;
  }

  update(key: string, value: unknown, options?: CallOptions): Promise<RecordResult> {
    checkKey(key);
    const valueJson = encodeValue(value);
    return this.write(
      key,
      this.call(withConsistency({ op: 'update', key, value }, this.consistency(options)), key, valueJson),
    ) as Promise<RecordResult>;
  }

  delete(key: string, options?: CallOptions): Promise<DeleteResult> {
    checkKey(key);
    return this.write(
      key,
      this.call(withConsistency({ op: 'delete', key }, this.consistency(options)), key),
    ) as Promise<DeleteResult>;
  }

  getNode(key: string): Promise<GetNodeResult> {
    checkKey(key);
    return this.call({ op: 'get_node', key }) as Promise<GetNodeResult>;
  }

  addNode(node: string): Promise<AddNodeResult> {
    checkNodeAddress(node);
    return this.call({ op: 'add_node', node }) as Promise<AddNodeResult>;
  }

  removeNode(node: string): Promise<RemoveNodeResult> {
    checkNodeAddress(node);
    return this.call({ op: 'remove_node', node }) as Promise<RemoveNodeResult>;
  }

  nodes(): Promise<NodesResult> {
    return this.call({ op: 'nodes' }) as Promise<NodesResult>;
  }

  ring(): Promise<RingResult> {
    return this.call({ op: 'ring' }) as Promise<RingResult>;
  }

  /**
   * Calls `listener` with every pushed event of `topics`; survives failover (the client re-subscribes on
   * the node it moves to). Resolves once the node confirmed; returns the function that unsubscribes.
   */
  async subscribe(topics: readonly Topic[], listener: EventListener): Promise<() => Promise<void>> {
    if (topics.length === 0) throw new RingKvError('BAD_REQUEST', 'topics must name at least one topic');
    this.subscriptions.add(topics, listener);
    await this.homeNode.syncTopics(
      await this.homeNode.connection(Date.now() + this.options.requestTimeoutMs),
    );
    return async () => {
      this.subscriptions.remove(listener);
      const home = this.homeNode.current();
      if (home) await this.homeNode.syncTopics(home);
    };
  }

  /** The node a request for `key` goes to now (its coordinator when known), for tools and tests. */
  route(key: string): string {
    return (this.options.ringAware ? this.router.coordinator(key) : undefined) ?? this.homeNode.address;
  }

  /** The node the client is anchored to (subscriptions, unkeyed calls). */
  get home(): string {
    return this.homeNode.address;
  }

  /** The connection state now; `onState` reports every change. */
  get state(): ClientState {
    return this.tracker.state;
  }

  onState(listener: StateListener): () => void {
    return this.tracker.listen(listener);
  }

  /** Open connections by node address. */
  connectedNodes(): string[] {
    return this.pool.openAddresses();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.homeNode.stop();
    this.pool.close();
    this.tracker.set('closed', this.homeNode.address);
  }

  /** A write's result, tracked while in flight so replica reads of its key wait for it (replica-reads.ts). */
  private write(key: string, result: Promise<unknown>): Promise<unknown> {
    return this.replicaReads === undefined ? result : this.replicaReads.trackWrite(key, result);
  }

  /** The call's consistency, else the client's; undefined leaves the node's default. */
  private consistency(options: CallOptions | undefined): Consistency | undefined {
    return options?.consistency ?? this.options.consistency;
  }

  /** One call with its deadline; re-sent after a dropped connection only when that is safe (see top). */
  private call(body: RequestBody, key?: string, valueJson?: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new RingKvError('UNAVAILABLE', 'the client is closed'));
    const deadlineMs = Date.now() + this.options.requestTimeoutMs;
    return new Promise((resolve, reject) =>
      this.send(new Call(body, key, valueJson, deadlineMs, this.sender, resolve, reject)),
    );
  }

  /** `call`'s sending and re-sending, as the Call objects see it. */
  private readonly sender: CallSender = {
    send: (call) => this.send(call),
    mayRetry: (call, error) => {
      const safe = !error.sent || readOnlyOps.has(call.body.op);
      if (!safe || call.retries >= this.options.readRetriesMax || Date.now() >= call.deadlineMs) return false;
      call.retries++;
      this.counters.retried++;
      return true;
    },
  };

  /** Sends `call` on the open connection to its node at once, else once `pick` has one. */
  private send(call: Call): void {
    const open = this.pickOpen(call.key);
    if (open) {
      open.requestInto(call.body, call.deadlineMs, call, 0, call.valueJson);
      return;
    }
    this.pick(call.key, call.deadlineMs).then(
      (connection) => connection.requestInto(call.body, call.deadlineMs, call, 0, call.valueJson),
      call.reject,
    );
  }

  /** The open connection to the key's coordinator, without waiting; `undefined` when there is none. */
  private pickOpen(key: string | undefined): Connection | undefined {
    if (key === undefined || !this.options.ringAware) return undefined;
    const target = this.router.coordinator(key);
    const open = target === undefined ? undefined : this.pool.get(target);
    if (open) this.counters.routed++;
    return open;
  }

  /** The key's coordinator when it is known and reachable, else the home node. */
  private async pick(key: string | undefined, deadlineMs: number): Promise<Connection> {
    const target = key !== undefined && this.options.ringAware ? this.router.coordinator(key) : undefined;
    if (target !== undefined) {
      const open = this.pool.get(target);
      if (open) {
        this.counters.routed++;
        return open;
      }
      if (this.pool.canConnect(target)) {
        try {
          const connection = await this.pool.connect(target);
          this.counters.routed++;
          return connection;
        } catch (error) {
          // The pool now backs off from `target`; this call and the next ones use the home node.
          this.noteBackgroundError(error);
        }
      }
      this.counters.fallbacks++;
    }
    return this.homeNode.connection(deadlineMs);
  }

  private onEvent(address: string, event: DashboardEvent): void {
    if (address !== this.homeNode.address) return;
    if (event.event === 'ring') this.router.updateRing(event.data);
    if (event.event === 'nodes') this.router.updateNodes(event.data);
    for (const error of this.subscriptions.dispatch(event)) this.noteBackgroundError(error);
  }

  private noteBackgroundError(error: unknown): void {
    this.counters.backgroundErrors++;
    this.lastBackgroundError = error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * `body` with `consistency` set when there is one: one object, not the spread of a second one (every
 * keyed call builds its body).
 */
function withConsistency<T extends RequestBody>(body: T, consistency: Consistency | undefined): T {
  if (consistency !== undefined) (body as { consistency?: Consistency }).consistency = consistency;
  return body;
}
