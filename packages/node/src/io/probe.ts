/** Whether something accepts TCP connections at HOST:PORT, within a bounded time. */
import { connect } from 'node:net';

/** Long enough for a node on another machine of a LAN to answer, short enough to keep add_node responsive. */
export const probeTimeoutMs = 1_000;

export function splitHostPort(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(separator + 1)) };
}

export function probeTcp(address: string, timeoutMs: number = probeTimeoutMs): Promise<boolean> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (reachable: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
