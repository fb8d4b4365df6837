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
import { WebSocketServer } from 'ws';
import type { NodeApi, NodeEvent } from '../node-api.js';
import type { Access } from './auth.js';
import type { Dispatcher } from './dispatch.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { eventText } from './replies.js';
import { refuseUpgrade as refuse, type UpgradeHandler } from './upgrade-router.js';
import { ClientConnection } from './ws-connection.js';

export interface WsApiOptions {
  node: NodeApi;
  dispatcher: Dispatcher;
  access: Access;
  lifecycle: Lifecycle;
  metrics: NodeMetrics;
  logger: Logger;
  connectionsMax: number;
  requestsInflightMax: number;
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
  const { node, access, lifecycle, metrics, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.frameBytesMax,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const connections = new Set<ClientConnection>();
  let nextConnectionId = 0;

  const context = {
    dispatcher: options.dispatcher,
    requestsInflightMax: options.requestsInflightMax,
    logger,
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

  const stopEvents = node.onEvent((event: NodeEvent) => {
    const text = eventText(event.topic, JSON.stringify(event.data));
    for (const connection of connections) {
      if (connection.topics.has(event.topic) && !connection.pushEvent(text))
        metrics.eventDropped(event.topic);
    }
  });

  let closing = false;

  /** Why this upgrade may not proceed, or undefined when it may. */
  function refusal(request: IncomingMessage): Refusal | undefined {
    if (closing || !lifecycle.serving)
      return ['UNAVAILABLE', `node is ${lifecycle.state}, not serving`, 'not_serving'];
    if (access.tokenSource(request.headers, request.url ?? '/') === undefined) {
      return [
        'UNAUTHORIZED',
        'a token is required: Authorization: Bearer TOKEN or ?token=TOKEN',
        'unauthorized',
      ];
    }
    if (!access.originAllowed(request.headers.origin, request.headers.host)) {
      return [
        'FORBIDDEN',
        `origin ${request.headers.origin} may not connect; see --allow-origin`,
        'forbidden_origin',
      ];
    }
    if (connections.size >= options.connectionsMax) {
      return [
        'UNAVAILABLE',
        `the node holds ${connections.size} WebSocket connections, its limit`,
        'connection_limit',
      ];
    }
    return undefined;
  }

  function accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refused = refusal(request);
    if (refused !== undefined) {
      const [code, message, reason] = refused;
      metrics.reject(reason);
      refuse(socket, code, message, code === 'UNAUTHORIZED' ? ['WWW-Authenticate: Bearer'] : []);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new ClientConnection(ws, ++nextConnectionId, context, socket as Socket);
      connections.add(connection);
      metrics.connectionOpened('ws');
      ws.on('message', (data, isBinary) => connection.onMessage(data, isBinary));
      // ws reports protocol violations (a frame over maxPayload: 1009, invalid UTF-8: 1007) as errors and
      // closes the connection itself; without a listener the error would crash the node.
      ws.on('error', (error) =>
        logger.debug({ err: error, connectionId: connection.connectionId }, 'client socket error'),
      );
      ws.on('close', () => {
        connections.delete(connection);
        metrics.connectionClosed('ws');
      });
    });
  }
  return {
    handleUpgrade(request, socket, head) {
      if ((request.url ?? '/').split('?')[0] !== '/ws') return false;
      accept(request, socket, head);
      return true;
    },
    get connectionCount() {
      return connections.size;
    },
    async close(drainMs: number) {
      closing = true;
      stopEvents();
      const deadlineMs = Date.now() + drainMs;
      // Let requests already received get their replies before the closing handshake.
      while (
        Date.now() < deadlineMs &&
        [...connections].some((connection) => connection.inflightRequests > 0)
      ) {
        await sleep(drainPollMs);
      }
      const closed = [...connections].map(
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
      for (const connection of connections) connection.socket.terminate();
      wss.close();
    },
  };
}
