/**
 * The one listener on the HTTP server's `upgrade` event. Each handler (the client API at /ws, the peer
 * mesh at /peer) claims the upgrades for its path and returns true; an upgrade nobody claims is refused
 * with 400 and the usual JSON error body, so a stray socket never hangs open.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorCode, errorStatus, RingKvError } from '@ringkv/protocol';
import { errorEnvelopeText } from './replies.js';

export interface UpgradeHandler {
  /** Takes the upgrade (and answers it, accepting or refusing) when it is for this handler's path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with an HTTP error and the SPEC error body, then closes the socket. */
export function refuseUpgrade(
  socket: Duplex,
  code: ErrorCode,
  message: string,
  extraHeaders: string[] = [],
): void {
  const status = errorStatus[code];
  const body = errorEnvelopeText(new RingKvError(code, message).toBody());
  const head = [
    `HTTP/1.1 ${status} ${reasonPhrases[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Routes upgrades to `handlers` in order; returns the function that detaches the listener. */
export function attachUpgradeRouter(server: Server, handlers: readonly UpgradeHandler[]): () => void {
  const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not crash the node with an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    for (const handler of handlers) {
      if (handler.handleUpgrade(request, socket, head)) return;
    }
    const path = (request.url ?? '/').split('?')[0];
    refuseUpgrade(socket, 'BAD_REQUEST', `no WebSocket endpoint at ${path}; clients use /ws`);
  };
  server.on('upgrade', listener);
  return () => server.off('upgrade', listener);
}
