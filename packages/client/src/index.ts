/**
 * @ringkv/client: the TypeScript client for ringkv, for Node and the browser. `RingClient` speaks the
 * WebSocket API (pipelined, batched, reconnecting, ring-aware); `HttpClient` the HTTP API.
 */
export {
  type ErrorCode,
  isErrorCode,
  keyToken,
  RingKvError,
} from '@ringkv/protocol';
export type { ClientState, ClientStatus, StateListener } from './client-state.js';
export { ConnectionLostError } from './errors.js';
export { HttpClient, type HttpClientOptions } from './http-client.js';
export type { RingClientOptions } from './options.js';
export { type CallOptions, RingClient, type RingClientCounters } from './ring-client.js';
export { RingLookup } from './ring-lookup.js';
export type { EventListener } from './subscriptions.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
