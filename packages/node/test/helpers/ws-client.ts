/**
 * A plain `ws` client for tests of the client WebSocket API: queues every text frame it receives so a test
 * can await them in order, and records how the connection closed.
 *
 *   const socket = await openSocket(node.wsUrl);
 *   const reply = await socket.request({ id: 1, op: 'ring' });
 */
import WebSocket, { type ClientOptions } from 'ws';

export interface TestSocket {
  readonly ws: WebSocket;
  /** Sends raw text (or a Buffer as a binary frame), or JSON-encodes anything else. */
  send(payload: unknown): void;
  /** The next frame, parsed as JSON. */
  next(timeoutMs?: number): Promise<unknown>;
  /**
   * Sends one request and returns the next frame that is not a pushed event (events met on the way are
   * dropped). Use only when no other request is in flight on this socket.
   */
  request(payload: unknown, timeoutMs?: number): Promise<unknown>;
  /** Resolves with the close code and reason once the connection closes. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export function openSocket(url: string, options: ClientOptions = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const frames: unknown[] = [];
    const waiters: Array<(frame: unknown) => void> = [];
    let closeInfo: { code: number; reason: string } | undefined;
    const closeWaiters: Array<(info: { code: number; reason: string }) => void> = [];
    ws.on('message', (data, isBinary) => {
      const frame: unknown = isBinary ? data : JSON.parse(data.toString());
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    ws.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      for (const waiter of closeWaiters.splice(0)) waiter(closeInfo);
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () =>
        reject(
          Object.assign(new Error(`upgrade refused: ${response.statusCode}`), {
            status: response.statusCode,
            body,
          }),
        ),
      );
    });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined); // a close with 1009 also reports an error; the close code is the finding
      const withTimeout = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<T>((_, rejectTimeout) => {
          timer = setTimeout(() => rejectTimeout(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
        });
        return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
      };
      const socket: TestSocket = {
        ws,
        send(payload) {
          if (typeof payload === 'string' || Buffer.isBuffer(payload))
            ws.send(payload, { binary: Buffer.isBuffer(payload) });
          else ws.send(JSON.stringify(payload));
        },
        next(timeoutMs = 10_000) {
          const queued = frames.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return withTimeout(new Promise((resolveFrame) => waiters.push(resolveFrame)), timeoutMs, 'frame');
        },
        async request(payload, timeoutMs) {
          socket.send(payload);
          for (;;) {
            const frame = await socket.next(timeoutMs);
            if (frame === null || typeof frame !== 'object' || !('event' in frame)) return frame;
          }
        },
        closed(timeoutMs = 10_000) {
          if (closeInfo) return Promise.resolve(closeInfo);
          return withTimeout(
            new Promise((resolveClose) => closeWaiters.push(resolveClose)),
            timeoutMs,
            'close',
          );
        },
        async close() {
          if (ws.readyState === ws.CLOSED) return;
          ws.close();
          await socket.closed().catch(() => ws.terminate());
        },
      };
      resolve(socket);
    });
  });
}
