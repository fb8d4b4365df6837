/**
 * Connections by node address (`HOST:PORT`), opened lazily, at most one per node and `limits
 * .clientConnectionsMax` in all. A node whose connection failed or dropped is left alone for a backoff
 * delay that doubles with each failure (with jitter, so many clients do not retry in step).
 */
import { type DashboardEvent, limits, RingKvError } from '@ringkv/protocol';
import { Connection, type ConnectionOptions } from './connection.js';
import type { ResolvedOptions } from './options.js';
import { webSocketUrl } from './options.js';
import type { WebSocketConstructor } from './websocket.js';

interface Entry {
  connection: Connection | undefined;
  opening: Promise<Connection> | undefined;
  failures: number;
  retryAtMs: number;
}

export interface PoolSettings {
  options: ResolvedOptions;
  secure: boolean;
  WebSocket: WebSocketConstructor;
  onEvent: (address: string, event: DashboardEvent) => void;
  onClose: (address: string, reason: string) => void;
  /** `ConnectionOptions.readsApart` for every connection. */
  readsApart?: () => boolean;
}

export class NodePool {
  private readonly entries = new Map<string, Entry>();
  private readonly settings: PoolSettings;
  private closed = false;

  constructor(settings: PoolSettings) {
    this.settings = settings;
  }

  /** The open connection to `address`, if any. */
  get(address: string): Connection | undefined {
    const connection = this.entries.get(address)?.connection;
    return connection?.isOpen ? connection : undefined;
  }

  /** True when a connect attempt would be made now (not backing off, under the connection bound). */
  canConnect(address: string, now = Date.now()): boolean {
    const entry = this.entries.get(address);
    if (entry?.opening || entry?.connection?.isOpen) return true;
    if (entry && now < entry.retryAtMs) return false;
    return this.openCount() < limits.clientConnectionsMax;
  }

  /** The earliest time a backing-off node may be tried again. */
  earliestRetryMs(addresses: Iterable<string>): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const address of addresses) earliest = Math.min(earliest, this.entries.get(address)?.retryAtMs ?? 0);
    return earliest;
  }

  connect(address: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new RingKvError('UNAVAILABLE', 'the client is closed'));
    const entry = this.entry(address);
    if (entry.connection?.isOpen) return Promise.resolve(entry.connection);
    if (entry.opening) return entry.opening;
    if (!this.canConnect(address)) {
      return Promise.reject(new RingKvError('UNAVAILABLE', `not connecting to ${address} yet (backing off)`));
    }
    entry.opening = this.open(address, entry).finally(() => {
      entry.opening = undefined;
    });
    return entry.opening;
  }

  private async open(address: string, entry: Entry): Promise<Connection> {
    const { options, secure, WebSocket } = this.settings;
    try {
      const connection = await Connection.open(
        webSocketUrl(address, secure, options.token),
        WebSocket,
        options.connectTimeoutMs,
        this.connectionOptions(address, entry),
      );
      if (this.closed) {
        connection.close();
        throw new RingKvError('UNAVAILABLE', 'the client is closed');
      }
      entry.connection = connection;
      entry.failures = 0;
      return connection;
    } catch (error) {
      this.backOff(entry);
      throw error;
    }
  }

  private connectionOptions(address: string, entry: Entry): ConnectionOptions {
    const { options } = this.settings;
    return {
      inflightMax: options.requestsInflightMax,
      waitersMax: limits.clientWaitersMax,
      batchRequestsMax: options.batchRequestsMax,
      batchCharsMax: limits.clientBatchCharsMax,
      ...(this.settings.readsApart ? { readsApart: this.settings.readsApart } : {}),
      onEvent: (event) => this.settings.onEvent(address, event),
      onClose: (reason) => {
        entry.connection = undefined;
        // A dropped connection counts as a failure, so a node that accepts and then dies is not hammered.
        if (!this.closed) this.backOff(entry);
        this.settings.onClose(address, reason);
      },
    };
  }

  private backOff(entry: Entry): void {
    const { reconnectDelayMsMin, reconnectDelayMsMax } = this.settings.options;
    entry.failures = Math.min(entry.failures + 1, 30);
    const delayMs = Math.min(reconnectDelayMsMax, reconnectDelayMsMin * 2 ** (entry.failures - 1));
    entry.retryAtMs = Date.now() + delayMs * (0.8 + 0.4 * Math.random());
  }

  private entry(address: string): Entry {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = { connection: undefined, opening: undefined, failures: 0, retryAtMs: 0 };
      this.entries.set(address, entry);
    }
    return entry;
  }

  private openCount(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.connection?.isOpen || entry.opening) count++;
    return count;
  }

  /** Addresses with an open connection. */
  openAddresses(): string[] {
    return [...this.entries].filter(([, entry]) => entry.connection?.isOpen).map(([address]) => address);
  }

  connections(): Connection[] {
    return [...this.entries.values()].flatMap((entry) => (entry.connection ? [entry.connection] : []));
  }

  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.connection?.close();
  }
}
