/**
 * The application-level open-loop generator's own process (forked by `app-open-loop-process.ts`): builds
 * the client library's adapter, connects, warms the client up with a short closed loop, says `ready`, runs
 * `runAppOpenLoop` on `go`, closes the client and sends the result back. It exits when the parent
 * disconnects (after reading this process's CPU), so an interrupted benchmark leaves nothing calling.
 *
 * Unlike `open-loop-child.ts` it does not force a collection (`gc()`) before `ready`: after one, the
 * client's scavenges kept ~40% of what they scanned instead of ~3% (2.3 MB promoted per scavenge against
 * 0.1 MB, 15 ms pauses against 2-3 ms), and the cell's p99 at 35,000 calls/s was 29-177 ms against 5-7 ms
 * without it (interleaved, 2026-11-27 21:33). Why a forced full collection does that was not established.
 */

import { type AppLoadOptions, type KvAdapter, runAppLoad, runAppOpenLoop } from './app-load.js';
import { type AppClient, createAppAdapter } from './app-open-loop-process.js';
import type { LoadResult } from './ws-load.js';

export type AppOpenLoopOptions = AppLoadOptions & { opsPerSecond: number; inflightMax: number };

/** A closed loop of `workers` callers for `durationMs` before `ready` (0 ms: none). */
export interface ClientWarmup {
  workers: number;
  durationMs: number;
}

export interface AppChildStart {
  type: 'start';
  client: AppClient;
  options: AppOpenLoopOptions;
  warmup: ClientWarmup;
}

export type AppChildMessage =
  | { type: 'ready' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };

function send(message: AppChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the load on `go`; the client is closed before the result or the error goes back. */
async function runOnGo(adapter: KvAdapter, options: AppOpenLoopOptions): Promise<void> {
  let outcome: AppChildMessage;
  try {
    outcome = { type: 'result', result: await runAppOpenLoop(adapter, options) };
  } catch (error) {
    outcome = { type: 'error', message: errorText(error) };
  }
  try {
    await adapter.close();
  } catch (error) {
    // The load is measured; a client that fails to close is reported but does not void the result.
    console.warn(`app open loop: closing the client failed: ${errorText(error)}`);
  }
  await send(outcome);
}

async function start(message: AppChildStart): Promise<void> {
  const adapter = await createAppAdapter(message.client);
  const { warmup, options } = message;
  if (warmup.durationMs > 0) {
    const closedLoop = { ...options, workers: warmup.workers, warmupMs: 0, durationMs: warmup.durationMs };
    const result = await runAppLoad(adapter, closedLoop);
    if (result.errors > 0)
      throw new Error(`client warm-up: ${result.errors} errors, e.g. ${result.errorSample}`);
  }
  process.once('message', (go: { type?: string }) => {
    if (go.type === 'go') void runOnGo(adapter, options);
    else void send({ type: 'error', message: `expected 'go', got ${JSON.stringify(go)}` });
  });
  await send({ type: 'ready' });
}

process.once('disconnect', () => process.exit(0));
process.once('message', (message: AppChildStart) => {
  start(message).catch(async (error: unknown) => {
    await send({ type: 'error', message: `could not start the client: ${errorText(error)}` });
    process.disconnect();
  });
});
