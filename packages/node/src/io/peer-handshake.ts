/**
 * The peer handshake (docs/PROTOCOL.md, "Transport"): hello (dialer) -> welcome (acceptor) -> auth (dialer)
 * -> ready (acceptor). Each side proves it knows the cluster secret with an HMAC-SHA256 over the OTHER side's
 * fresh nonce, bound to its role and both node ids, so the secret never travels, a proof cannot be replayed
 * on another connection, and a proof made as acceptor cannot be reflected back as a dialer's. A node without a
 * secret uses the empty key, so a node with a secret and a node without one never agree.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  decodePeerHandshake,
  limits,
  type PeerHandshakeMessage,
  peerProtocolVersion,
} from '@ringkv/protocol';
import type WebSocket from 'ws';

export interface HandshakeIdentity {
  self: string;
  cluster: string;
  secret: string | undefined;
}

export interface HandshakeResult {
  /** The other side's node id, proven. */
  peer: string;
  /** Frames that arrived right after the handshake, to be processed first. */
  leftover: string[];
}

async function runHandshake(
  reader: HandshakeReader,
  run: () => Promise<string>,
  timeoutMs: number,
): Promise<HandshakeResult> {
  try {
    const peer = await withDeadline(run(), timeoutMs, 'peer handshake');
    return { peer, leftover: reader.detach() };
  } catch (error) {
    reader.detach();
    throw error;
  }
}

export class HandshakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HandshakeError';
  }
}

export function newNonce(): string {
  return randomBytes(limits.peerNonceBytes).toString('hex');
}

export function handshakeProof(
  secret: string | undefined,
  role: 'dialer' | 'acceptor',
  otherNonce: string,
  prover: string,
  verifier: string,
  cluster: string,
): string {
  return createHmac('sha256', secret ?? '')
    .update(`ringkv-peer-v${peerProtocolVersion}\n${role}\n${cluster}\n${otherNonce}\n${prover}\n${verifier}`)
    .digest('hex');
}

function proofsEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(received, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads handshake messages from one socket, one at a time. Frames that arrive after the last handshake
 * message (the other side may start sending as soon as it is ready) are kept raw and handed to the
 * transport by `detach`, so nothing is lost between the handshake and the frame handler.
 */
class HandshakeReader {
  private readonly queue: string[] = [];
  private waiter: ((text: string) => void) | undefined;
  private rejectWaiter: ((error: Error) => void) | undefined;
  private failure: Error | undefined;
  private readonly onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
    const text = isBinary ? '' : data.toString();
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.rejectWaiter = undefined;
      waiter(text);
    } else if (this.queue.length < limits.peerHandshakeBufferedFramesMax) this.queue.push(text);
    else this.fail(new HandshakeError('peer sent too many frames during the handshake'));
  };
  private readonly onClose = () => this.fail(new HandshakeError('connection closed during the handshake'));
  private readonly onError = (error: Error) =>
    this.fail(new HandshakeError('socket error during the handshake', { cause: error }));

  constructor(private readonly socket: WebSocket) {
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const reject = this.rejectWaiter;
    this.waiter = undefined;
    this.rejectWaiter = undefined;
    reject?.(error);
  }

  next<T extends PeerHandshakeMessage['type']>(type: T): Promise<Extract<PeerHandshakeMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const accept = (text: string) => {
        const decoded = decodePeerHandshake(text);
        if (!decoded.ok) return reject(new HandshakeError(decoded.reason));
        if (decoded.value.type !== type) {
          return reject(new HandshakeError(`expected ${type}, got ${decoded.value.type}`));
        }
        resolve(decoded.value as Extract<PeerHandshakeMessage, { type: T }>);
      };
      if (this.failure) return reject(this.failure);
      const queued = this.queue.shift();
      if (queued !== undefined) return accept(queued);
      this.rejectWaiter = reject;
      this.waiter = accept;
    });
  }

  /** Stops reading; returns frames that arrived after the handshake, in order. */
  detach(): string[] {
    this.socket.off('message', this.onMessage);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    return this.queue.splice(0);
  }
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HandshakeError(`${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function checkPeerHeader(
  identity: HandshakeIdentity,
  message: { cluster: string; version: number; node: string },
): void {
  if (message.version !== peerProtocolVersion) {
    throw new HandshakeError(`peer speaks protocol ${message.version}, we speak ${peerProtocolVersion}`);
  }
  if (message.cluster !== identity.cluster) {
    throw new HandshakeError(`peer belongs to cluster "${message.cluster}", not "${identity.cluster}"`);
  }
  if (message.node === identity.self) throw new HandshakeError('peer claims our own node id');
}

/** Runs the dialer's side on an open socket; resolves to the acceptor's node id. */
export function dialerHandshake(
  socket: WebSocket,
  identity: HandshakeIdentity,
  expectedPeer: string,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const reader = new HandshakeReader(socket);
  const run = async () => {
    const nonce = newNonce();
    const hello = {
      type: 'hello',
      cluster: identity.cluster,
      node: identity.self,
      version: peerProtocolVersion,
      nonce,
    };
    socket.send(JSON.stringify(hello));
    const welcome = await reader.next('welcome');
    checkPeerHeader(identity, welcome);
    if (welcome.node !== expectedPeer) {
      throw new HandshakeError(`dialled ${expectedPeer} but it says it is ${welcome.node}`);
    }
    const expected = handshakeProof(
      identity.secret,
      'acceptor',
      nonce,
      welcome.node,
      identity.self,
      identity.cluster,
    );
    if (!proofsEqual(expected, welcome.proof))
      throw new HandshakeError('peer failed the cluster-secret proof');
    const proof = handshakeProof(
      identity.secret,
      'dialer',
      welcome.nonce,
      identity.self,
      welcome.node,
      identity.cluster,
    );
    socket.send(JSON.stringify({ type: 'auth', proof }));
    await reader.next('ready');
    return welcome.node;
  };
  return runHandshake(reader, run, timeoutMs);
}

/** Runs the acceptor's side on a freshly upgraded socket; resolves to the dialer's node id. */
export function acceptorHandshake(
  socket: WebSocket,
  identity: HandshakeIdentity,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const reader = new HandshakeReader(socket);
  const run = async () => {
    const hello = await reader.next('hello');
    checkPeerHeader(identity, hello);
    const nonce = newNonce();
    const proof = handshakeProof(
      identity.secret,
      'acceptor',
      hello.nonce,
      identity.self,
      hello.node,
      identity.cluster,
    );
    const welcome = {
      type: 'welcome',
      cluster: identity.cluster,
      node: identity.self,
      version: peerProtocolVersion,
      nonce,
      proof,
    };
    socket.send(JSON.stringify(welcome));
    const auth = await reader.next('auth');
    const expected = handshakeProof(
      identity.secret,
      'dialer',
      nonce,
      hello.node,
      identity.self,
      identity.cluster,
    );
    if (!proofsEqual(expected, auth.proof)) throw new HandshakeError('peer failed the cluster-secret proof');
    socket.send(JSON.stringify({ type: 'ready' }));
    return hello.node;
  };
  return runHandshake(reader, run, timeoutMs);
}
