/**
 * The application-level open-loop generator's own process (forked by `app-open-loop-process.ts`): builds
 * the client library's adapter, connects, says `ready`, runs `runAppOpenLoop` on `go`, closes the client
 * and sends the result back. It exits when the parent disconnects (after reading this process's CPU), so
 * an interrupted benchmark leaves nothing calling.
 */

import { type AppLoadOptions, type KvAdapter, runAppOpenLoop } from './app-load.js';
import { type AppClient, createAppAdapter } from './app-open-loop-process.js';
import type { LoadResult } from './ws-load.js';

export type AppOpenLoopOptions = AppLoadOptions & { opsPerSecond: number; inflightMax: number };

export interface AppChildStart {
  type: 'start';
  client: AppClient;
  options: AppOpenLoopOptions;
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
  // The set-up's garbage (tsx's module loading, the client's connect) goes now, not in the window.
  globalThis.gc?.();
  process.once('message', (go: { type?: string }) => {
    if (go.type === 'go') void runOnGo(adapter, message.options);
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
