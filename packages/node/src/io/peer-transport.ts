/**
 * The peer mesh (docs/PROTOCOL.md, "Transport"): one persistent WebSocket per peer pair at `/peer`,
 * authenticated by the handshake in peer-handshake.ts, carrying coalesced frames of envelopes (peer-link.ts)
 * and request/reply pairs with ids and timeouts (peer-requests.ts). Every frame a peer sends is validated;
 * a peer that fails the handshake or sends a malformed frame is disconnected and logged, never trusted.
 *
 * When both sides dial at once, both connections complete and each side keeps the one dialled by the lower
 * node id, so both keep the same socket without talking about it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  limits,
  type MembershipMessage,
  type PeerEnvelope,
  type PeerReplyByRequest,
  type PeerRequest,
  RingKvError,
} from '@ringkv/protocol';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { dialPeer } from './peer-dial.js';
import { acceptorHandshake, HandshakeError, type HandshakeIdentity } from './peer-handshake.js';
import { noneServed, type PeerHandlers, PeerInbox, type PeerLogger } from './peer-inbox.js';
import { PeerLink } from './peer-link.js';
import { PeerRequests } from './peer-requests.js';

export type { PeerHandlers, PeerLogger } from './peer-inbox.js';

export interface PeerTransportOptions {
  self: string;
  cluster: string;
  secret: string | undefined;
  logger: PeerLogger;
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  reconnectDelayMsMin?: number;
  reconnectDelayMsMax?: number;
}

export type PeerEvent = { type: 'up' | 'down'; peer: string };

export class PeerTransport {
  /** Handshakes refused, dials that failed, and what this node served its peers (`PeerServedCounters`). */
  readonly counters = { refused: 0, dialFailures: 0, ...noneServed() };
  private readonly identity: HandshakeIdentity;
  private readonly links = new Map<string, PeerLink>();
  private readonly requests = new PeerRequests();
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: limits.peerFrameBytesMax });
  private readonly listeners = new Set<(event: PeerEvent) => void>();
  private readonly inbox: PeerInbox;
  private handlers: PeerHandlers | undefined;
  private handshakesInflight = 0;
  private closed = false;

  constructor(private readonly options: PeerTransportOptions) {
    this.identity = { self: options.self, cluster: options.cluster, secret: options.secret };
    this.inbox = new PeerInbox({
      requests: this.requests,
      logger: options.logger,
      counters: this.counters,
      handlers: () => this.handlers,
      reply: (peer, envelope) => {
        if (!this.closed) this.linkFor(peer).enqueue(JSON.stringify(envelope));
      },
    });
  }

  get self(): string {
    return this.options.self;
  }

  setHandlers(handlers: PeerHandlers): void {
    this.handlers = handlers;
  }

  onPeerEvent(listener: (event: PeerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles an HTTP upgrade if it is for `/peer`; returns false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/peer') return false;
    if (this.closed || this.handshakesInflight >= limits.clusterNodesMax) {
      socket.destroy();
      return true;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => void this.accept(ws));
    return true;
  }

  /** Fire-and-forget; dropped (and counted) when the outbox is full or the peer is unreachable. */
  send(to: string, body: MembershipMessage): void {
    const link = this.linkFor(to);
    if (link.state === 'backoff') {
      link.dropped++;
      return;
    }
    link.enqueue(JSON.stringify({ k: 'msg', body } satisfies PeerEnvelope));
  }

  /** One request, one reply; rejects with UNAVAILABLE (unreachable) or TIMEOUT, never hangs. */
  request<T extends PeerRequest>(
    to: string,
    request: T,
    timeoutMs = this.options.requestTimeoutMs ?? limits.peerRequestTimeoutMsDefault,
  ): Promise<PeerReplyByRequest[T['type']]> {
    if (to === this.options.self)
      throw new Error('assertion failed: a node does not send requests to itself');
    const link = this.linkFor(to);
    if (link.state === 'backoff') {
      return Promise.reject(new RingKvError('UNAVAILABLE', `${to} is unreachable`));
    }
    let opened: ReturnType<PeerRequests['open']>;
    try {
      opened = this.requests.open(to, request, timeoutMs);
    } catch (error) {
      return Promise.reject(error); // too many in flight: callers see a rejection, never a throw
    }
    const { id } = opened;
    const reply = opened.reply as Promise<PeerReplyByRequest[T['type']]>;
    if (!link.enqueue(JSON.stringify({ k: 'req', id, body: request } satisfies PeerEnvelope))) {
      this.requests.reject(to, id, new RingKvError('UNAVAILABLE', `outbox to ${to} is full`));
    }
    return reply;
  }

  /** add_node's check: `address` completes the handshake (right cluster, secret, id) within the timeout. */
  async probe(address: string, timeoutMs = limits.peerProbeTimeoutMs): Promise<void> {
    try {
      const { ws } = await dialPeer(address, this.identity, timeoutMs);
      ws.close(1000, 'probe done');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RingKvError('NODE_UNREACHABLE', `${address} did not complete the peer handshake: ${reason}`, {
        cause: error,
      });
    }
  }

  /** Peers with an open, authenticated connection. */
  connectedPeers(): string[] {
    return [...this.links.values()].filter((link) => link.state === 'open').map((link) => link.peer);
  }

  /** True while the last attempt to reach `peer` failed and we are backing off (or its socket just closed). */
  isUnreachable(peer: string): boolean {
    return this.links.get(peer)?.state === 'backoff';
  }

  isConnected(peer: string): boolean {
    return this.links.get(peer)?.state === 'open';
  }

  /** Stops talking to `peer` (it left the cluster). */
  forget(peer: string): void {
    const link = this.links.get(peer);
    if (!link) return;
    link.wanted = false;
    clearTimeout(link.reconnectTimer);
    link.clear();
    link.socket?.close(1000, 'removed from the cluster');
    this.links.delete(peer);
  }

  stats(): { peers: number; connected: number; dropped: number; framesSent: number; messagesSent: number } {
    let dropped = 0;
    let framesSent = 0;
    let messagesSent = 0;
    for (const link of this.links.values()) {
      dropped += link.dropped;
      framesSent += link.framesSent;
      messagesSent += link.messagesSent;
    }
    return {
      peers: this.links.size,
      connected: this.connectedPeers().length,
      dropped,
      framesSent,
      messagesSent,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.requests.failAll(new RingKvError('UNAVAILABLE', 'node is shutting down'));
    for (const link of this.links.values()) {
      clearTimeout(link.reconnectTimer);
      link.wanted = false;
      link.socket?.close(1001, 'node shutting down');
    }
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private linkFor(peer: string): PeerLink {
    let link = this.links.get(peer);
    if (!link) {
      link = new PeerLink(peer);
      this.links.set(peer, link);
    }
    link.wanted = true;
    if (link.state === 'idle' && !this.closed) this.dial(link);
    return link;
  }

  private dial(link: PeerLink): void {
    link.state = 'connecting';
    const timeoutMs = this.options.handshakeTimeoutMs ?? limits.peerHandshakeTimeoutMs;
    dialPeer(link.peer, this.identity, timeoutMs).then(
      ({ ws, leftover }) => {
        if (this.closed) ws.close(1001, 'node shutting down');
        else this.adopt(link.peer, ws, this.options.self, leftover);
      },
      (error: Error) => {
        const details = { peer: link.peer, reason: error.message };
        if (error instanceof HandshakeError) this.options.logger.warn(details, 'peer refused');
        this.dialFailed(link, error.message);
      },
    );
  }

  private dialFailed(link: PeerLink, reason: string): void {
    this.counters.dialFailures++;
    if (link.state === 'open') return; // another connection (the peer dialled us) won meanwhile
    link.state = 'backoff';
    link.attempt++;
    const dropped = link.clear();
    this.requests.failPeer(
      link.peer,
      new RingKvError('UNAVAILABLE', `${link.peer} is unreachable: ${reason}`),
    );
    this.options.logger.debug(
      { peer: link.peer, reason, dropped, attempt: link.attempt },
      'peer dial failed',
    );
    this.scheduleReconnect(link);
  }

  private scheduleReconnect(link: PeerLink): void {
    if (this.closed || !link.wanted) {
      link.state = 'idle';
      return;
    }
    const minMs = this.options.reconnectDelayMsMin ?? limits.peerReconnectDelayMsMin;
    const maxMs = this.options.reconnectDelayMsMax ?? limits.peerReconnectDelayMsMax;
    const baseMs = Math.min(maxMs, minMs * 2 ** Math.min(link.attempt, 20));
    // Half fixed, half jitter: peers that lost each other at the same moment do not redial in lockstep.
    const delayMs = baseMs / 2 + Math.random() * (baseMs / 2);
    clearTimeout(link.reconnectTimer);
    link.reconnectTimer = setTimeout(() => {
      link.reconnectTimer = undefined;
      if (link.state !== 'open' && link.wanted && !this.closed) this.dial(link);
    }, delayMs);
  }

  private async accept(ws: WebSocket): Promise<void> {
    this.handshakesInflight++;
    ws.on('error', (error) => this.options.logger.debug({ err: error }, 'peer socket error'));
    try {
      const timeoutMs = this.options.handshakeTimeoutMs ?? limits.peerHandshakeTimeoutMs;
      const { peer, leftover } = await acceptorHandshake(ws, this.identity, timeoutMs);
      if (this.closed) {
        ws.close(1001, 'node shutting down');
        return;
      }
      this.adopt(peer, ws, peer, leftover);
    } catch (error) {
      this.counters.refused++;
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ reason }, 'peer refused');
      ws.close(4001, 'handshake failed');
    } finally {
      this.handshakesInflight--;
    }
  }

  private adopt(peer: string, ws: WebSocket, dialer: string, leftover: string[]): void {
    const link = this.links.get(peer) ?? new PeerLink(peer);
    this.links.set(peer, link);
    // Frames on a socket about to be dropped as a duplicate are still processed until it closes.
    ws.on('message', (data, isBinary) =>
      this.inbox.onFrame(peer, ws, isBinary ? undefined : data.toString()),
    );
    ws.once('close', () => this.socketClosed(link, ws));
    const preferredDialer = peer < this.options.self ? peer : this.options.self;
    const keepNew = !link.socket || dialer === preferredDialer || link.socketDialer !== preferredDialer;
    if (keepNew) {
      const previous = link.socket;
      const wasOpen = link.state === 'open';
      link.socket = ws;
      link.socketDialer = dialer;
      link.state = 'open';
      link.attempt = 0;
      clearTimeout(link.reconnectTimer);
      previous?.close(4000, 'duplicate connection');
      if (!wasOpen) this.emit({ type: 'up', peer });
      link.scheduleFlush();
    } else {
      ws.close(4000, 'duplicate connection');
    }
    for (const text of leftover) this.inbox.onFrame(peer, ws, text);
  }

  private socketClosed(link: PeerLink, ws: WebSocket): void {
    if (link.socket !== ws) return;
    link.socket = undefined;
    link.socketDialer = undefined;
    link.state = 'idle';
    this.requests.failPeer(link.peer, new RingKvError('UNAVAILABLE', `connection to ${link.peer} was lost`));
    this.emit({ type: 'down', peer: link.peer });
    if (this.links.get(link.peer) !== link) return;
    // Until the redial succeeds (or the peer dials us), requests to it fail fast instead of timing out.
    link.state = 'backoff';
    this.scheduleReconnect(link);
  }

  private emit(event: PeerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
