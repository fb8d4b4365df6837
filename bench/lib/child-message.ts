/**
 * Waiting for one message of a given type from a forked generator child (open-loop-process.ts and
 * app-open-loop-process.ts): resolves with it, rejects when the child reports an error, exits first, or
 * stays silent past the timeout. Listeners and the timer are always removed.
 */
import type { ChildProcess } from 'node:child_process';

export interface ChildReport {
  type: string;
}

/** `label` starts every error's text ("open loop", "app open loop"). */
export function nextChildMessage<M extends ChildReport>(
  child: ChildProcess,
  type: M['type'],
  timeoutMs: number,
  label: string,
): Promise<M> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${label}: no '${type}' from the child within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: M) => {
      if (message.type === type) done(undefined, message);
      else if (message.type === 'error') {
        done(new Error(`${label}: ${(message as { message?: string }).message ?? 'error'}`));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(new Error(`${label}: the child exited (${code ?? signal}) before '${type}'`));
    const done = (error?: Error, message?: M) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
