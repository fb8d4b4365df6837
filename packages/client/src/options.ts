/** RingClient options: defaults merged once, then validated with messages that say what is wrong. */
import { type Consistency, consistencyLevels, limits, RingKvError } from '@ringkv/protocol';
import type { WebSocketConstructor } from './websocket.js';

export interface RingClientOptions {
  /** Sent as `?token=` on every WebSocket URL (SPEC 6); browsers cannot set headers on a WebSocket. */
  token?: string;
  /** Consistency for data operations that do not name one; unset leaves the node's default (quorum). */
  consistency?: Consistency;
  /** Deadline for one call, from the moment it is made, including waiting for a connection or a slot. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Requests outstanding per connection; callers beyond it wait (backpressure). */
  requestsInflightMax?: number;
  /** Requests in one batch frame, at most limits.batchRequestsMax. */
  batchRequestsMax?: number;
  reconnectDelayMsMin?: number;
  reconnectDelayMsMax?: number;
  /** Times a read-only request is re-sent after its connection dropped. Writes are never re-sent once sent. */
  readRetriesMax?: number;
  /** Send each keyed request to the key's coordinator (default true); false sends everything to one node. */
  ringAware?: boolean;
  /**
   * Quorum reads ask the key's replicas directly and take their answer when they agree (default true; needs
   * ringAware). False sends every read to the key's coordinator. See replica-reads.ts.
   */
  replicaReads?: boolean;
  /** How long a replica read waits for the replicas before it asks the coordinator instead. */
  replicaReadTimeoutMs?: number;
  /** A WebSocket constructor; default the global one, else the `ws` package (Node). */
  WebSocket?: WebSocketConstructor;
}

export type ResolvedOptions = Required<Omit<RingClientOptions, 'token' | 'consistency' | 'WebSocket'>> &
  Pick<RingClientOptions, 'token' | 'consistency'>;

const defaults = {
  requestTimeoutMs: limits.clientRequestTimeoutMsDefault,
  connectTimeoutMs: limits.clientConnectTimeoutMsDefault,
  requestsInflightMax: limits.clientRequestsInflightDefault,
  batchRequestsMax: limits.batchRequestsMax,
  reconnectDelayMsMin: limits.clientReconnectDelayMsMin,
  reconnectDelayMsMax: limits.clientReconnectDelayMsMax,
  readRetriesMax: limits.clientReadRetriesMax,
  ringAware: true,
  replicaReads: true,
  replicaReadTimeoutMs: limits.clientReplicaReadTimeoutMsDefault,
};

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RingKvError('BAD_REQUEST', `${name} must be an integer from 1 to ${max}, got ${value}`);
  }
}

export function resolveOptions(options: RingClientOptions = {}): ResolvedOptions {
  const merged = { ...defaults, ...stripUndefined(options) };
  positiveInteger('requestTimeoutMs', merged.requestTimeoutMs);
  positiveInteger('connectTimeoutMs', merged.connectTimeoutMs);
  positiveInteger('replicaReadTimeoutMs', merged.replicaReadTimeoutMs);
  positiveInteger('requestsInflightMax', merged.requestsInflightMax, limits.requestsInflightPerConnectionMax);
  positiveInteger('batchRequestsMax', merged.batchRequestsMax, limits.batchRequestsMax);
  positiveInteger('reconnectDelayMsMin', merged.reconnectDelayMsMin);
  positiveInteger('reconnectDelayMsMax', merged.reconnectDelayMsMax);
  if (merged.reconnectDelayMsMin > merged.reconnectDelayMsMax) {
    throw new RingKvError('BAD_REQUEST', 'reconnectDelayMsMin must be <= reconnectDelayMsMax');
  }
  if (!Number.isInteger(merged.readRetriesMax) || merged.readRetriesMax < 0 || merged.readRetriesMax > 10) {
    throw new RingKvError('BAD_REQUEST', 'readRetriesMax must be an integer from 0 to 10');
  }
  if (merged.consistency !== undefined && !consistencyLevels.includes(merged.consistency)) {
    throw new RingKvError('BAD_REQUEST', `consistency must be one of ${consistencyLevels.join(', ')}`);
  }
  const { WebSocket: _constructor, ...resolved } = merged;
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** `http://h:p`, `https://h:p`, `ws://h:p/ws`, `wss://...` or bare `h:p` -> the node address and scheme. */
export function parseNodeUrl(input: string): { address: string; secure: boolean } {
  const text = input.trim();
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new RingKvError('BAD_REQUEST', `url "${input}" is not a URL or HOST:PORT`, { cause });
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new RingKvError('BAD_REQUEST', `url "${input}" must be http(s):// or ws(s)://`);
  }
  const port = url.port || (secure ? '443' : '80');
  return { address: `${url.hostname}:${port}`, secure };
}

export function webSocketUrl(address: string, secure: boolean, token: string | undefined): string {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `${secure ? 'wss' : 'ws'}://${address}/ws${query}`;
}
