/**
 * The open-loop generator's own process (forked by `open-loop-process.ts`): builds the frames, connects,
 * says `ready`, runs the cell on `go` and sends the result back. It exits when the parent goes away, so an
 * interrupted benchmark leaves nothing sending.
 */

import { type OpenLoopOptions, OpenLoopRun } from './open-loop.js';
import { buildFrames } from './open-loop-frames.js';

export interface ChildStart {
  type: 'start';
  options: OpenLoopOptions;
  keyspace: number;
  readFraction: number;
  valueJson: string;
  seed: number;
}

export type ChildMessage =
  | { type: 'ready'; frames: number }
  | { type: 'window' }
  | { type: 'result'; result: import('./open-loop.js').OpenLoopResult }
  | { type: 'error'; message: string };

/** Requests built beyond warm-up and window, for a window that overruns its timer. */
const spareSeconds = 3;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function start(message: ChildStart): Promise<void> {
  const { options } = message;
  const seconds = (options.warmupMs + options.durationMs) / 1000 + spareSeconds;
  const frames = buildFrames({
    count: Math.ceil(options.opsPerSecond * seconds),
    connections: options.connections,
    keyspace: message.keyspace,
    readFraction: message.readFraction,
    valueJson: message.valueJson,
    seed: message.seed,
  });
  const run = new OpenLoopRun(options, frames, () => void send({ type: 'window' }));
  await run.connect();
  // The set-up's garbage (tsx's module loading, the build, the upgrades) goes now, not in the window.
  globalThis.gc?.();
  process.once('message', async () => {
    try {
      await send({ type: 'result', result: await run.run() });
    } catch (error) {
      await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
    process.disconnect();
  });
  await send({ type: 'ready', frames: frames.count });
}

process.once('disconnect', () => process.exit(0));
process.once('message', (message: ChildStart) => {
  start(message).catch(async (error: unknown) => {
    await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.disconnect();
  });
});
