/**
 * What the dashboard needs from a cluster, as a narrow interface: the hooks depend on this, never on a
 * socket, so a WebSocket implementation (today) or `@ringkv/client`'s RingClient (later) can stand behind it.
 */
import type { ClientRequest, DashboardEvent, Op, ResultByOp } from '@ringkv/protocol';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Failed connection attempts since the last successful one. */
  attempt: number;
  /** When `reconnecting`: the unix ms of the next attempt. */
  nextAttemptAt: number | null;
  /** Unix ms of the last successful open, for "disconnected for 12 s". */
  lastOpenAt: number | null;
}

export type RequestParams<O extends Op> = Omit<Extract<ClientRequest, { op: O }>, 'id' | 'op'>;

export interface ClusterSource {
  /** HOST:PORT of the node the dashboard talks to. */
  readonly host: string;
  /** Sends one SPEC section 3 request; rejects with a ClusterError carrying the SPEC code. */
  request<O extends Op>(op: O, params: RequestParams<O>): Promise<ResultByOp[O]>;
  onEvent(listener: (event: DashboardEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  connection(): ConnectionState;
  close(): void;
}

/**
 * An error from the cluster with its SPEC code (KEY_NOT_FOUND, BAD_REQUEST, ...), or one of the local
 * codes the dashboard adds: DISCONNECTED (no connection to send on) and NO_REPLY (no answer in time).
 */
export class ClusterError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ClusterError';
    this.code = code;
  }
}

export function toClusterError(error: unknown): ClusterError {
  if (error instanceof ClusterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterError('DISCONNECTED', message);
}
