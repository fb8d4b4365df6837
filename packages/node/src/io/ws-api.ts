/**
 * The client WebSocket API at `/ws`, on the HTTP server's port. `ws` runs in noServer mode: the upgrade
 * router hands this module the upgrades for `/ws`; it checks lifecycle, token, origin and the connection
 * limit, and only then completes the handshake. A refused upgrade gets an HTTP error with the usual JSON error body.
 * Events from the node (ring, nodes, stats) are serialised once and fanned out to subscribed connections.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ErrorCode, limits, type Topic } from '@ringkv/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { NodeApi, NodeEvent } from '../node-api.js';
import type { Access } from './auth.js';
import type { Dispatcher } from './dispatch.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { eventText } from './replies.js';
import { refuseUpgrade as refuse, type UpgradeHandler } from './upgrade-router.js';
import { ClientConnection, type ConnectionContext } from './ws-connection.js';

export interface WsApiOptions {
  node: NodeApi;
  dispatcher: Dispatcher;
  access: Access;
  lifecycle: Lifecycle;
  metrics: NodeMetrics;
  logger: Logger;
  connectionsMax: number;
  requestsInflightMax: number;
  /** Defaults to limits.clientHeartbeatIntervalMs. */
  heartbeatIntervalMs?: number;
}

export interface WsApi extends UpgradeHandler {
  readonly connectionCount: number;
  /** Closes every connection (1001, going away), waiting at most `drainMs` before cutting the rest. */
  close(drainMs: number): Promise<void>;
}

type Refusal = [ErrorCode, string, string];

const drainPollMs = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createWsApi(options: WsApiOptions): WsApi {
  return new ClientWsServer(options);
}

class ClientWsServer implements WsApi {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.frameBytesMax,
    perMessageDeflate: false,
    clientTracking: false,
  });
  private readonly connections = new Set<ClientConnection>();
  private readonly context: ConnectionContext;
  private readonly stopEvents: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  /** Connections that have not answered the last ping. */
  private readonly awaitingPong = new Set<ClientConnection>();
  private nextConnectionId = 0;
  private closing = false;

  constructor(private readonly options: WsApiOptions) {
    const { node, metrics } = options;
    this.context = {
      dispatcher: options.dispatcher,
      requestsInflightMax: options.requestsInflightMax,
      logger: options.logger,
      onReject: (reason: string) => metrics.reject(reason),
      pushSnapshot: (connection: ClientConnection, topics: readonly Topic[]) => {
        for (const topic of topics) {
          // stats has no snapshot: the next sample arrives within statsIntervalMs.
          if (topic === 'stats') continue;
          const data = topic === 'ring' ? node.ring() : node.nodes();
          if (!connection.pushEvent(eventText(topic, JSON.stringify(data)))) metrics.eventDropped(topic);
        }
      },
    };
    this.stopEvents = node.onEvent((event) => this.broadcast(event));
    this.heartbeat = setInterval(
      () => this.beat(),
      options.heartbeatIntervalMs ?? limits.clientHeartbeatIntervalMs,
    );
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if ((request.url ?? '/').split('?')[0] !== '/ws') return false;
    const refused = this.refusal(request);
    if (refused === undefined) {
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket as Socket));
    } else {
      const [code, message, reason] = refused;
      this.options.metrics.reject(reason);
      refuse(socket, code, message, code === 'UNAUTHORIZED' ? ['WWW-Authenticate: Bearer'] : []);
    }
    return true;
  }

  async close(drainMs: number): Promise<void> {
    this.closing = true;
    this.stopEvents();
    clearInterval(this.heartbeat);
    const deadlineMs = Date.now() + drainMs;
    // Let requests already received get their replies before the closing handshake.
    while (
      Date.now() < deadlineMs &&
      [...this.connections].some((connection) => connection.inflightRequests > 0)
    ) {
      await sleep(drainPollMs);
    }
    const closed = [...this.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.socket.readyState === connection.socket.CLOSED) return resolve();
          connection.socket.once('close', () => resolve());
          connection.socket.close(1001, 'node is shutting down');
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
    });
    await Promise.race([Promise.all(closed), deadline]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.socket.terminate();
    this.wss.close();
  }

  /** Why this upgrade may not proceed, or undefined when it may. */
  private refusal(request: IncomingMessage): Refusal | undefined {
    const { access, lifecycle } = this.options;
    if (this.closing || !lifecycle.serving) {
      return ['UNAVAILABLE', `node is ${lifecycle.state}, not serving`, 'not_serving'];
    }
    if (access.tokenSource(request.headers, request.url ?? '/') === undefined) {
      return [
        'UNAUTHORIZED',
        'a token is required: Authorization: Bearer TOKEN or ?token=TOKEN',
        'unauthorized',
      ];
    }
    if (!access.originAllowed(request.headers.origin, request.headers.host)) {
      const message = `origin ${request.headers.origin} may not connect; see --allow-origin`;
      return ['FORBIDDEN', message, 'forbidden_origin'];
    }
    if (this.connections.size >= this.options.connectionsMax) {
      const message = `the node holds ${this.connections.size} WebSocket connections, its limit`;
      return ['UNAVAILABLE', message, 'connection_limit'];
    }
    return undefined;
  }

  private accept(ws: WebSocket, transport: Socket): void {
    const { metrics, logger } = this.options;
    const connection = new ClientConnection(ws, ++this.nextConnectionId, this.context, transport);
    this.connections.add(connection);
    metrics.connectionOpened('ws');
    ws.on('message', (data, isBinary) => connection.onMessage(data, isBinary));
    ws.on('pong', () => this.awaitingPong.delete(connection));
    // ws reports protocol violations (a frame over maxPayload: 1009, invalid UTF-8: 1007) as errors and
    // closes the connection itself; without a listener the error would crash the node.
    ws.on('error', (error) =>
      logger.debug({ err: error, connectionId: connection.connectionId }, 'client socket error'),
    );
    ws.on('close', () => {
      this.connections.delete(connection);
      this.awaitingPong.delete(connection);
      metrics.connectionClosed('ws');
    });
  }

  /** Cuts connections that did not answer the previous ping, then pings the rest. */
  private beat(): void {
    for (const connection of this.connections) {
      if (this.awaitingPong.has(connection)) {
        this.options.metrics.reject('heartbeat_timeout');
        connection.socket.terminate();
        continue;
      }
      if (connection.socket.readyState !== connection.socket.OPEN) continue;
      this.awaitingPong.add(connection);
      connection.socket.ping();
    }
  }

  /** Serialises an event once and sends it to every connection subscribed to its topic. */
  private broadcast(event: NodeEvent): void {
    const text = eventText(event.topic, JSON.stringify(event.data));
    for (const connection of this.connections) {
      if (connection.topics.has(event.topic) && !connection.pushEvent(text)) {
        this.options.metrics.eventDropped(event.topic);
      }
    }
  }
}
