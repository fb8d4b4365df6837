/**
 * When a joining node may turn alive (docs/PROTOCOL.md, "Concurrent joins"): not sooner than `joiningMinMs`
 * after it last took tokens, and only after one full-state pull from a few members for those tokens, so
 * the tokens of a node that joined at the same moment can still reach it while it may choose again.
 * Tokens taken again meanwhile make any pending wait void (their ranges stream in first, and the streaming
 * asks again).
 */
import type { TimerSet } from './timer-set.js';
import type { Clock } from './types.js';

export interface JoinGateDeps {
  clock: Pick<Clock, 'nowMs'>;
  timers: TimerSet;
  joiningMinMs: number;
  /** How long to wait for the pulled full states before turning alive. */
  pullWaitMs: number;
}

export class JoinGate {
  private takenAtMs = Number.NEGATIVE_INFINITY;
  /** How many times the node took tokens: a wait scheduled for an older count is void. */
  private taken = 0;
  /** The `taken` count whose full states were pulled (once per set of tokens). */
  private pulledFor = 0;

  constructor(private readonly deps: JoinGateDeps) {}

  tookTokens(): void {
    this.takenAtMs = this.deps.clock.nowMs();
    this.taken++;
  }

  /**
   * True when the node may turn alive now. Otherwise it has scheduled `retry` (for the wait still due, or
   * after calling `pull` once for these tokens) and the caller must not turn alive yet.
   */
  open(pull: () => void, retry: () => void): boolean {
    const taken = this.taken;
    const retryAfter = (delayMs: number) =>
      this.deps.timers.schedule(delayMs, () => {
        if (this.taken === taken) retry();
      });
    const waitMs = this.takenAtMs + this.deps.joiningMinMs - this.deps.clock.nowMs();
    if (waitMs > 0) {
      retryAfter(waitMs);
      return false;
    }
    if (taken > 0 && this.pulledFor !== taken) {
      this.pulledFor = taken;
      pull();
      retryAfter(this.deps.pullWaitMs);
      return false;
    }
    return true;
  }
}
