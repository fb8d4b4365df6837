/**
 * The WebSocket the client speaks through: the browser's (and Node 22's) global one when present, else the
 * `ws` package, loaded lazily so that bundlers for the browser never pull it in. Callers may inject any
 * constructor with the standard interface (`WebSocket` option), which is also how tests substitute one.
 */

/** The subset of the standard WebSocket interface the client uses; `ws` and browsers both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: { message?: string; error?: unknown }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** readyState values shared by every implementation. */
export const socketOpen = 1;

export async function resolveWebSocket(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected) return injected;
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === 'function') return global as WebSocketConstructor;
  // A variable specifier keeps bundlers (Vite) from resolving `ws` for the browser build.
  const specifier = 'ws';
  const module = (await import(/* @vite-ignore */ specifier)) as {
    default?: WebSocketConstructor;
    WebSocket?: WebSocketConstructor;
  };
  const implementation = module.WebSocket ?? module.default;
  if (!implementation) throw new Error('no WebSocket implementation: pass the `WebSocket` option');
  return implementation;
}
