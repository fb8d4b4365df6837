/**
 * A small client over the HTTP API (SPEC 2) for places without a WebSocket (scripts, serverless, the CLI's
 * one-shot commands). One request per call, no batching or routing: the node it asks forwards to the
 * coordinator. With several URLs, a call whose node cannot be reached moves on to the next URL when that
 * is safe: always for read-only calls, for writes only when the connection was refused (never sent).
 */
import {
  type AddNodeResult,
  type Consistency,
  checkKey,
  checkNodeAddress,
  type DeleteResult,
  encodeValue,
  type GetNodeResult,
  type HealthResult,
  limits,
  type NodesResult,
  type RecordResult,
  type RemoveNodeResult,
  RingKvError,
  type RingResult,
} from '@ringkv/protocol';
import { errorFromBody } from './errors.js';
import { parseNodeUrl } from './options.js';

export interface HttpClientOptions {
  /** Sent as `Authorization: Bearer T`. */
  token?: string;
  consistency?: Consistency;
  requestTimeoutMs?: number;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  readOnly: boolean;
}

export class HttpClient {
  private readonly bases: string[];
  private readonly options: HttpClientOptions;
  private readonly fetch: typeof fetch;

  constructor(urls: string | readonly string[], options: HttpClientOptions = {}) {
    const list = typeof urls === 'string' ? urls.split(',') : [...urls];
    if (list.length === 0) throw new RingKvError('BAD_REQUEST', 'urls must name at least one node');
    this.bases = list.map((url) => {
      const { address, secure } = parseNodeUrl(url);
      return `${secure ? 'https' : 'http'}://${address}`;
    });
    this.options = options;
    const implementation = options.fetch ?? globalThis.fetch;
    if (typeof implementation !== 'function')
      throw new Error('no fetch implementation: pass the `fetch` option');
    this.fetch = implementation;
  }

  create(key: string, value: unknown, options?: { consistency?: Consistency }): Promise<RecordResult> {
    const body = `{"value":${encodeValue(value)}}`;
    return this.call({ method: 'POST', path: this.keyPath('create', key, options), body, readOnly: false });
  }

  read(key: string, options?: { consistency?: Consistency }): Promise<RecordResult> {
    return this.call({ method: 'GET', path: this.keyPath('read', key, options), readOnly: true });
  }

  update(key: string, value: unknown, options?: { consistency?: Consistency }): Promise<RecordResult> {
    const body = `{"value":${encodeValue(value)}}`;
    return this.call({ method: 'PUT', path: this.keyPath('update', key, options), body, readOnly: false });
  }

  delete(key: string, options?: { consistency?: Consistency }): Promise<DeleteResult> {
    return this.call({ method: 'DELETE', path: this.keyPath('delete', key, options), readOnly: false });
  }

  getNode(key: string): Promise<GetNodeResult> {
    return this.call({
      method: 'GET',
      path: `/get_node/${encodeURIComponent(checkKey(key))}`,
      readOnly: true,
    });
  }

  addNode(node: string): Promise<AddNodeResult> {
    const path = `/add_node/${encodeURIComponent(checkNodeAddress(node))}`;
    return this.call({ method: 'POST', path, readOnly: false });
  }

  removeNode(node: string): Promise<RemoveNodeResult> {
    const path = `/remove_node/${encodeURIComponent(checkNodeAddress(node))}`;
    return this.call({ method: 'DELETE', path, readOnly: false });
  }

  nodes(): Promise<NodesResult> {
    return this.call({ method: 'GET', path: '/nodes', readOnly: true });
  }

  ring(): Promise<RingResult> {
    return this.call({ method: 'GET', path: '/ring', readOnly: true });
  }

  health(): Promise<HealthResult> {
    return this.call({ method: 'GET', path: '/health', readOnly: true });
  }

  private keyPath(op: string, key: string, options: { consistency?: Consistency } | undefined): string {
    const consistency = options?.consistency ?? this.options.consistency;
    const query = consistency === undefined ? '' : `?consistency=${consistency}`;
    return `/${op}/${encodeURIComponent(checkKey(key))}${query}`;
  }

  private async call<T>(call: Call): Promise<T> {
    let lastError: RingKvError | undefined;
    for (const base of this.bases) {
      try {
        return (await this.send(base, call)) as T;
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        lastError = error;
        if (!call.readOnly && !error.refused) break;
      }
    }
    throw lastError ?? new RingKvError('UNAVAILABLE', 'no node to ask');
  }

  private async send(base: string, call: Call): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const timeoutMs = this.options.requestTimeoutMs ?? limits.clientRequestTimeoutMsDefault;
    let response: Response;
    try {
      response = await this.fetch(base + call.path, {
        method: call.method,
        headers,
        ...(call.body === undefined ? {} : { body: call.body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      if (cause instanceof Error && cause.name === 'TimeoutError') {
        throw new RingKvError(
          'TIMEOUT',
          `${base} did not answer ${call.method} ${call.path} in ${timeoutMs} ms`,
        );
      }
      throw new UnreachableError(base, cause);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new RingKvError('INTERNAL', `${base} answered ${response.status} with a body that is not JSON`, {
        cause,
      });
    }
    if (response.ok) return body;
    throw errorFromBody(
      (body as { error?: unknown } | undefined)?.error ?? { message: `HTTP ${response.status}` },
    );
  }
}

/** The node could not be reached; `refused` when the connection never opened, so nothing was sent. */
class UnreachableError extends RingKvError {
  readonly refused: boolean;

  constructor(base: string, cause: unknown) {
    const detail = describeFetchFailure(cause);
    super('UNAVAILABLE', `cannot reach ${base}: ${detail}`, { cause });
    this.refused = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN/.test(detail);
  }
}

function describeFetchFailure(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if (inner?.code) return inner.code;
  return inner?.message ?? (cause instanceof Error ? cause.message : String(cause));
}
