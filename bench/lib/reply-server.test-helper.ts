/**
 * A WebSocket server for the generators' tests: it answers every single request `{"id": N, ...}` with
 * `reply(N)` (an ok reply by default), on a port the OS picks on 127.0.0.1. `close` stops it.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface ReplyServer {
  url: string;
  close(): Promise<void>;
}

export const okReply = (id: number): string => `{"id":${id},"ok":true,"result":{}}`;

export async function startReplyServer(reply: (id: number) => string = okReply): Promise<ReplyServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const { id } = JSON.parse(data.toString()) as { id: number };
      socket.send(reply(id));
    }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
