/**
 * Ports for benchmark servers come from one fixed range (24000-24999) so they never collide with the
 * tests' OS-assigned ports; each is checked free on 127.0.0.1 before it is handed out.
 */
import net from 'node:net';

export const benchPortFirst = 24_000;
export const benchPortLast = 24_999;

let nextPort = benchPortFirst;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The next free port in the range, checked by binding it on 127.0.0.1. */
export async function allocatePort(): Promise<number> {
  while (nextPort <= benchPortLast) {
    const port = nextPort++;
    if (await isFree(port)) return port;
  }
  throw new Error(`bench: no free port left in ${benchPortFirst}-${benchPortLast}`);
}
