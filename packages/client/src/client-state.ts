/**
 * The client's connection state, for user interfaces ("reconnecting in 2 s"): `connecting` until the first
 * home node accepts, `open` while the home connection is up, `reconnecting` after it dropped (with the
 * number of failed attempts), `unauthorized` when a node refused the token, `closed` after close().
 */
export type ClientStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface ClientState {
  status: ClientStatus;
  /** The home node (HOST:PORT) the state is about. */
  home: string;
  /** Failed attempts to reach a home node since the last success. */
  attempt: number;
}

export type StateListener = (state: ClientState) => void;

export class StateTracker {
  private current: ClientState;
  private readonly listeners = new Set<StateListener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(home: string, onListenerError: (error: unknown) => void) {
    this.current = { status: 'connecting', home, attempt: 0 };
    this.onListenerError = onListenerError;
  }

  get state(): ClientState {
    return this.current;
  }

  set(status: ClientStatus, home: string, attempt = status === 'open' ? 0 : this.current.attempt): void {
    const next = { status, home, attempt };
    if (
      next.status === this.current.status &&
      next.home === this.current.home &&
      next.attempt === this.current.attempt
    ) {
      return;
    }
    this.current = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  failedAttempt(home: string): void {
    const status = this.current.status === 'connecting' ? 'connecting' : 'reconnecting';
    this.set(status, home, this.current.attempt + 1);
  }

  listen(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
