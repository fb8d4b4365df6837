/**
 * The receiving half of the peer mesh: decodes each frame (a malformed one disconnects its sender), hands
 * membership messages and requests to the node's handlers, answers requests (bounded per peer), and
 * matches replies to the requests this node sent.
 */
import {
  decodePeerFrame,
  limits,
  type MembershipMessage,
  type PeerEnvelope,
  type PeerReply,
  type PeerRequest,
  RingKvError,
} from '@ringkv/protocol';
import type WebSocket from 'ws';
import type { PeerRequests } from './peer-requests.js';

/** The subset of pino's logger the transport uses. */
export interface PeerLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface PeerHandlers {
  /** A fire-and-forget membership message (already validated against its schema). */
  onMessage(from: string, message: MembershipMessage): void;
  /**
   * A request: its reply, at once or as a promise (the reply is sent in the same turn when it is given at
   * once). Throw or reject with a RingKvError to answer with its code.
   */
  onRequest(from: string, request: PeerRequest): PeerReply | Promise<PeerReply>;
}

/**
 * What this node answered its peers. A request is one `req` envelope, so a `replica-reads` or
 * `replica-writes` batch counts once in `peerRequestsServed` however many keys it carries; the keys
 * themselves are counted apart (a single `replica-read`/`replica-write` counts one key).
 */
export interface PeerServedCounters {
  /** Frames that were not valid peer frames (their sender was disconnected). */
  malformed: number;
  /** Peer requests answered `ok` (one per request envelope: a batch counts once). */
  peerRequestsServed: number;
  /** Replica reads answered inside those requests: a `replica-reads` batch of N keys counts N. */
  replicaReadKeysServed: number;
  /** Replica writes answered inside those requests: a `replica-writes` batch of N writes counts N. */
  replicaWriteKeysServed: number;
}

/** A new node's counters: nothing served yet. */
export function noneServed(): PeerServedCounters {
  return { malformed: 0, peerRequestsServed: 0, replicaReadKeysServed: 0, replicaWriteKeysServed: 0 };
}

export interface PeerInboxDeps {
  requests: PeerRequests;
  logger: PeerLogger;
  counters: PeerServedCounters;
  handlers: () => PeerHandlers | undefined;
  /** Queues an answer to `peer`. */
  reply: (peer: string, envelope: PeerEnvelope) => void;
}

export class PeerInbox {
  private readonly servedPerPeer = new Map<string, number>();

  constructor(private readonly deps: PeerInboxDeps) {}

  /** One frame from `peer` on `ws` (`undefined` for a binary frame, which the protocol never uses). */
  onFrame(peer: string, ws: WebSocket, text: string | undefined): void {
    const decoded =
      text === undefined
        ? { ok: false as const, reason: 'binary frames are not used' }
        : decodePeerFrame(text);
    if (!decoded.ok) {
      this.disconnect(peer, ws, decoded.reason, 'malformed frame');
      return;
    }
    for (const envelope of decoded.value) this.dispatch(peer, ws, envelope);
  }

  private disconnect(peer: string, ws: WebSocket, reason: string, closeReason: string): void {
    this.deps.counters.malformed++;
    this.deps.logger.warn({ peer, reason }, 'bad peer frame; disconnecting');
    ws.close(4002, closeReason);
  }

  private dispatch(peer: string, ws: WebSocket, envelope: PeerEnvelope): void {
    switch (envelope.k) {
      case 'msg':
        this.deps.handlers()?.onMessage(peer, envelope.body);
        return;
      case 'req':
        void this.serve(peer, envelope.id, envelope.body);
        return;
      case 'ok': {
        const problem = this.deps.requests.resolve(peer, envelope.id, envelope.body);
        if (problem) this.disconnect(peer, ws, problem, 'bad reply');
        return;
      }
      case 'err':
        this.deps.requests.reject(
          peer,
          envelope.id,
          new RingKvError(envelope.error.code as RingKvError['code'], envelope.error.message),
        );
        return;
    }
  }

  /** Answers one request: in this turn when the handler replies at once, else when its promise settles. */
  private serve(peer: string, id: number, request: PeerRequest): void {
    const inflight = this.servedPerPeer.get(peer) ?? 0;
    let reply: PeerReply | Promise<PeerReply>;
    try {
      const handlers = this.deps.handlers();
      if (!handlers) throw new RingKvError('UNAVAILABLE', 'node is starting');
      if (inflight >= limits.peerRequestsInflightMax) {
        throw new RingKvError('UNAVAILABLE', 'too many requests in flight from this peer');
      }
      reply = handlers.onRequest(peer, request);
    } catch (error) {
      this.answerError(peer, id, request, error);
      return;
    }
    if (!(reply instanceof Promise)) {
      this.answerOk(peer, id, request, reply);
      return;
    }
    this.servedPerPeer.set(peer, inflight + 1);
    reply.then(
      (body) => {
        this.settled(peer);
        this.answerOk(peer, id, request, body);
      },
      (error: unknown) => {
        this.settled(peer);
        this.answerError(peer, id, request, error);
      },
    );
  }

  /** A promised reply to `peer` settled: one request fewer in flight from it. */
  private settled(peer: string): void {
    this.servedPerPeer.set(peer, (this.servedPerPeer.get(peer) ?? 1) - 1);
  }

  private answerOk(peer: string, id: number, request: PeerRequest, body: PeerReply): void {
    this.countServed(request);
    this.deps.reply(peer, { k: 'ok', id, body });
  }

  /** The error's code when it is a RingKvError; anything else is a bug, logged and answered INTERNAL. */
  private answerError(peer: string, id: number, request: PeerRequest, error: unknown): void {
    if (!(error instanceof RingKvError)) {
      this.deps.logger.error({ peer, err: error, request: request.type }, 'peer request failed');
    }
    const failure = error instanceof RingKvError ? error : new RingKvError('INTERNAL', 'request failed');
    this.deps.reply(peer, { k: 'err', id, error: failure.toBody() });
  }

  private countServed(request: PeerRequest): void {
    const { counters } = this.deps;
    counters.peerRequestsServed++;
    switch (request.type) {
      case 'replica-reads':
        counters.replicaReadKeysServed += request.keys.length;
        break;
      case 'replica-read':
        counters.replicaReadKeysServed++;
        break;
      case 'replica-writes':
        counters.replicaWriteKeysServed += request.writes.length;
        break;
      case 'replica-write':
        counters.replicaWriteKeysServed++;
        break;
    }
  }
}
