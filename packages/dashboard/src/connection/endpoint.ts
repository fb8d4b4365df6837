/**
 * Where the dashboard connects: the node that served the page (same origin, which passes the node's
 * WebSocket origin check), with the token from the page URL (`?token=T`) when the cluster has one.
 */

export interface Endpoint {
  /** `ws://host/ws` or `wss://host/ws`, with `?token=` appended when there is a token. */
  webSocketUrl: string;
  /** Base for HTTP calls: the page's origin. */
  httpBase: string;
  token: string | null;
  /** HOST:PORT, for display. */
  host: string;
}

export function endpointFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): Endpoint {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return {
    webSocketUrl: `${scheme}//${location.host}/ws${query}`,
    httpBase: `${location.protocol}//${location.host}`,
    token: token && token.length > 0 ? token : null,
    host: location.host,
  };
}

/** Headers for an HTTP call to the node: JSON, plus the bearer token when there is one. */
export function httpHeaders(endpoint: Pick<Endpoint, 'token'>, json: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (json) headers['content-type'] = 'application/json';
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  return headers;
}

/** Exponential backoff with a cap: attempt 0 waits the minimum. */
export function reconnectDelayMs(attempt: number, minimumMs: number, maximumMs: number): number {
  return Math.min(maximumMs, minimumMs * 2 ** Math.min(attempt, 20));
}
