/**
 * Opens an authenticated connection to a peer: a WebSocket to `ws://ADDRESS/peer`, then the dialer's side
 * of the handshake. Used for the mesh's own links and for add_node's probe.
 */
import { limits } from '@ringkv/protocol';
import WebSocket from 'ws';
import { dialerHandshake, type HandshakeIdentity } from './peer-handshake.js';

export interface DialedPeer {
  ws: WebSocket;
  /** Frames that arrived right after the handshake, to be processed first. */
  leftover: string[];
}

/** Resolves once `address` proved it is that node of our cluster; rejects (socket closed) otherwise. */
export async function dialPeer(
  address: string,
  identity: HandshakeIdentity,
  timeoutMs: number,
): Promise<DialedPeer> {
  const ws = new WebSocket(`ws://${address}/peer`, {
    handshakeTimeout: timeoutMs,
    maxPayload: limits.peerFrameBytesMax,
    perMessageDeflate: false,
  });
  let firstError: Error | undefined;
  // A listener is always attached: an 'error' without one would crash the process.
  const onError = (error: Error) => {
    firstError ??= error;
  };
  ws.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const onClose = () => reject(new Error(firstError?.message ?? 'connection closed before it opened'));
      ws.once('close', onClose);
      ws.once('open', () => {
        ws.off('close', onClose);
        resolve();
      });
    });
    const { leftover } = await dialerHandshake(ws, identity, address, timeoutMs);
    return { ws, leftover };
  } catch (error) {
    ws.terminate();
    throw error;
  } finally {
    ws.off('error', onError);
    ws.on('error', () => {
      // Errors after this point surface as 'close', which the owner of the socket handles.
    });
  }
}
