/**
 * Loads keys `keyAt(0..count-1)` with 100-byte values through RingClient (ring-aware: each create goes
 * straight to its coordinator, calls of one turn share a batch frame), `window` creates in flight at a
 * time, with a progress line on stderr. Keys whose create failed are sent again in a few more passes.
 * Bounded by `timeoutMs`.
 */
import type { RingClient } from '@ringkv/client';
import { keyAt, valueBytes } from '../lib/keys.js';

export interface LoadKeysResult {
  loaded: number;
  /** Keys still failing after every round. */
  failures: number;
  /** Creates sent again after a failure (a starved machine times some out). */
  retried: number;
  failureSample?: string;
  elapsedMs: number;
}

/** The value RingClient sends: a string whose JSON encoding (with its quotes) is 100 bytes. */
export const loadValue = 'v'.repeat(valueBytes - 2);

/** Passes over the keys whose create failed; later passes see KEY_EXISTS for creates that were applied. */
const loadRoundsMax = 4;

export async function loadKeys(
  client: RingClient,
  count: number,
  options: { window: number; timeoutMs: number },
): Promise<LoadKeysResult> {
  const started = performance.now();
  let loaded = 0;
  let failures = 0;
  let retried = 0;
  let failureSample: string | undefined;
  // On a terminal one line rewritten every second; in a log, a line every 10 s.
  const tty = process.stderr.isTTY === true;
  const progress = setInterval(
    () => {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `${tty ? '\r' : ''}bench:rebalance: loaded ${loaded.toLocaleString('en-US')} / ` +
          `${count.toLocaleString('en-US')} keys (${Math.round(loaded / seconds).toLocaleString('en-US')} keys/s, ` +
          `${seconds.toFixed(0)} s)${tty ? '   ' : '\n'}`,
      );
    },
    tty ? 1_000 : 10_000,
  );
  try {
    let pending = Array.from({ length: count }, (_, index) => index);
    for (let round = 0; round < loadRoundsMax && pending.length > 0; round++) {
      const failed: number[] = [];
      for (let first = 0; first < pending.length; first += options.window) {
        if (performance.now() - started > options.timeoutMs) {
          throw new Error(`loading stopped at the ${options.timeoutMs / 1000} s bound after ${loaded} keys`);
        }
        const calls = pending.slice(first, first + options.window).map((index) =>
          client.create(keyAt(index), loadValue).then(
            () => {
              loaded++;
            },
            (error: unknown) => {
              // KEY_EXISTS: an earlier attempt that timed out was applied after all, with the same value.
              if ((error as { code?: string }).code === 'KEY_EXISTS') loaded++;
              else {
                failed.push(index);
                failureSample ??= error instanceof Error ? error.message : String(error);
              }
            },
          ),
        );
        await Promise.all(calls);
      }
      retried += round > 0 ? pending.length : 0;
      pending = failed;
    }
    failures = pending.length;
  } finally {
    clearInterval(progress);
    if (tty) process.stderr.write('\n');
  }
  return { loaded, failures, retried, failureSample, elapsedMs: performance.now() - started };
}
