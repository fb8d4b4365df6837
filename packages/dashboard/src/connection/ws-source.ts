/**
 * ClusterSource over a browser WebSocket speaking SPEC section 3: request/reply by id, pushed topic
 * events, and reconnection with capped exponential backoff. On every (re)open it subscribes to all three
 * topics, so a reconnect restores the live views by itself.
 */
import { ClientReply, DashboardEvent, type Op, type ResultByOp, topics } from '@ringkv/protocol';
import {
  pendingRequestsMax,
  reconnectDelayMsMax,
  reconnectDelayMsMin,
  requestTimeoutMs,
} from '../config/limits.js';
import {
  ClusterError,
  type ClusterSource,
  type ConnectionState,
  type RequestParams,
} from './cluster-source.js';
import { type Endpoint, httpHeaders, reconnectDelayMs } from './endpoint.js';

/** The part of a browser WebSocket this source uses (a test passes its own). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((message: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
}

/** What the source needs from the browser, injectable so the protocol logic is testable without one. */
export interface SourceEnvironment {
  createSocket(url: string): SocketLike;
  /** True when the node answers 401 to this page's credentials (a refused upgrade looks like any close). */
  isUnauthorized(endpoint: Endpoint): Promise<boolean>;
}

/** WebSocket.OPEN, without reading the browser global (absent under test). */
const socketOpen = 1;

export const browserEnvironment: SourceEnvironment = {
  createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  isUnauthorized: async (endpoint) => {
    try {
      const response = await fetch(`${endpoint.httpBase}/health`, { headers: httpHeaders(endpoint, false) });
      return response.status === 401;
    } catch (error) {
      // The node is down: not an authorisation problem. Logged for whoever opens the console.
      console.debug('ringkv dashboard: health probe failed', error);
      return false;
    }
  },
};

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: ClusterError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class WebSocketClusterSource implements ClusterSource {
  readonly host: string;
  private socket: SocketLike | null = null;
  private state: ConnectionState = {
    status: 'connecting',
    attempt: 0,
    nextAttemptAt: null,
    lastOpenAt: null,
  };
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: DashboardEvent) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private nextId = 1;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly environment: SourceEnvironment = browserEnvironment,
  ) {
    this.host = endpoint.host;
    this.connect();
  }

  request<O extends Op>(op: O, params: RequestParams<O>): Promise<ResultByOp[O]> {
    const socket = this.socket;
    if (!socket || socket.readyState !== socketOpen) {
      return Promise.reject(new ClusterError('DISCONNECTED', `not connected to ${this.host}`));
    }
    if (this.pending.size >= pendingRequestsMax) {
      return Promise.reject(
        new ClusterError('DISCONNECTED', `${pendingRequestsMax} requests already waiting`),
      );
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ClusterError('NO_REPLY', `no reply to ${op} within ${requestTimeoutMs / 1000} s`));
      }, requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ id, op, ...params }));
    });
  }

  onEvent(listener: (event: DashboardEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  connection(): ConnectionState {
    return this.state;
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'dashboard closed');
    this.failPending('dashboard closed');
    this.setState({ ...this.state, status: 'closed', nextAttemptAt: null });
  }

  private connect(): void {
    const socket = this.environment.createSocket(this.endpoint.webSocketUrl);
    this.socket = socket;
    socket.onopen = () => {
      this.setState({ status: 'open', attempt: 0, nextAttemptAt: null, lastOpenAt: Date.now() });
      this.request('subscribe', { topics: [...topics] }).catch((error: unknown) => {
        // Closing fails it on purpose; any other failure leaves the live views without events.
        if (!this.closed) console.warn('ringkv dashboard: subscribe failed', error);
      });
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending(`connection to ${this.host} closed`);
      if (!this.closed) void this.scheduleReconnect();
    };
  }

  private async scheduleReconnect(): Promise<void> {
    const attempt = this.state.attempt;
    // A refused upgrade looks like any close to the browser; ask /health whether the token is the reason.
    const unauthorized = await this.environment.isUnauthorized(this.endpoint);
    if (this.closed) return;
    const delayMs = reconnectDelayMs(attempt, reconnectDelayMsMin, reconnectDelayMsMax);
    this.setState({
      ...this.state,
      status: unauthorized ? 'unauthorized' : 'reconnecting',
      attempt: attempt + 1,
      nextAttemptAt: Date.now() + delayMs,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed) this.connect();
    }, delayMs);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      console.warn('ringkv dashboard: a frame that is not JSON was ignored', error);
      return;
    }
    if (frame && typeof frame === 'object' && 'event' in frame) {
      this.receiveEvent(frame);
      return;
    }
    const reply = ClientReply.safeParse(frame);
    if (!reply.success) {
      console.warn('ringkv dashboard: a malformed reply was ignored', reply.error.issues);
      return;
    }
    const id = reply.data.id;
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending) return;
    this.pending.delete(id as number);
    clearTimeout(pending.timer);
    if (reply.data.ok) pending.resolve(reply.data.result);
    else pending.reject(new ClusterError(reply.data.error.code, reply.data.error.message));
  }

  private receiveEvent(frame: object): void {
    const event = DashboardEvent.safeParse(frame);
    if (!event.success) {
      console.warn('ringkv dashboard: a malformed event was ignored', event.error.issues);
      return;
    }
    for (const listener of this.eventListeners) listener(event.data);
  }

  private failPending(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new ClusterError('DISCONNECTED', reason));
      this.pending.delete(id);
    }
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }
}
