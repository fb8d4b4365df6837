/**
 * One RingClient call in flight: its promise's settle functions and what sending it again needs. It is
 * the ReplySink of its own request, so a call costs this object besides its promise and the connection's
 * entry; an `async` call with an awaited request promise cost two more promises, a generator and their
 * closures (client-alloc.ts).
 */
import type { ReplySink, RequestBody } from './connection.js';
import { ConnectionLostError } from './errors.js';

export interface CallSender {
  /** Sends `call` (again): on an open connection to its node, or once one is open. */
  send(call: Call): void;
  /** Whether `call` may be sent again after its connection dropped; counts the retry when it may. */
  mayRetry(call: Call, error: ConnectionLostError): boolean;
}

export class Call implements ReplySink {
  /** Times this call was sent again after a dropped connection. */
  retries = 0;

  constructor(
    readonly body: RequestBody,
    readonly key: string | undefined,
    readonly valueJson: string | undefined,
    readonly deadlineMs: number,
    private readonly sender: CallSender,
    readonly resolve: (result: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  answer(_slot: number, result: unknown): void {
    this.resolve(result);
  }

  fail(_slot: number, error: Error): void {
    if (!(error instanceof ConnectionLostError && this.sender.mayRetry(this, error))) {
      this.reject(error);
      return;
    }
    // Not from inside the failing connection's close handling: once it is done, the pool has forgotten
    // that connection and backs off from its node, so the call goes elsewhere.
    queueMicrotask(() => this.sender.send(this));
  }
}
