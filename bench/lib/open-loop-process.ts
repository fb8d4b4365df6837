/**
 * Runs the lean open-loop generator (`open-loop.ts`) in a process of its own: the bench process keeps
 * its heap, its timers and its metrics scrapes off the event loop that must send on time, and the
 * generator can be placed on a core by pid. `start` builds the frames and connects; the cell's
 * measurements (server CPU, server delays, run-queue waits) wrap only `run`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextChildMessage } from './child-message.js';
import type { OpenLoopOptions, OpenLoopResult } from './open-loop.js';
import type { ChildMessage, ChildStart } from './open-loop-child.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'open-loop-child.ts');
/** Time to start the child (tsx), build the frames and open the connections. */
const startTimeoutMs = 60_000;
/** Time past warm-up and window for the drain and the result. */
const resultSpareMs = 30_000;

/**
 * Node flags of the generator process. Young-generation pauses hold back sends; a larger semi-space makes
 * them rarer (the generator allocates little: a slice per send, a few objects per reply chunk).
 * `--expose-gc`: the child collects once after building its frames and connecting, before the cell, so
 * the set-up's garbage is not collected inside the measured window.
 */
export const openLoopNodeFlags = ['--max-semi-space-size=32', '--expose-gc'];

export interface OpenLoopLoad {
  keyspace: number;
  readFraction: number;
  valueJson: string;
  seed: number;
}

export class OpenLoopProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly options: OpenLoopOptions,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: OpenLoopOptions, load: OpenLoopLoad): Promise<OpenLoopProcess> {
    const child = fork(childScript, [], {
      execArgv: ['--import', 'tsx', ...openLoopNodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const generator = new OpenLoopProcess(child, options);
    const start: ChildStart = { type: 'start', options, ...load };
    child.send(start);
    try {
      await generator.next('ready', startTimeoutMs);
    } catch (error) {
      generator.stop();
      throw error;
    }
    return generator;
  }

  /** Runs the cell (warm-up, window, drain) and returns what the generator measured; the child then exits. */
  async run(onWindowStart: () => void = () => {}): Promise<OpenLoopResult> {
    const onWindow = (message: ChildMessage) => {
      if (message.type === 'window') onWindowStart();
    };
    this.child.on('message', onWindow);
    try {
      this.child.send({ type: 'go' });
      const timeoutMs = this.options.warmupMs + this.options.durationMs + resultSpareMs;
      const message = await this.next('result', timeoutMs);
      if (message.type !== 'result') throw new Error('open loop: no result');
      return message.result;
    } finally {
      this.child.off('message', onWindow);
      this.stop();
    }
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private next(type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage> {
    return nextChildMessage<ChildMessage>(this.child, type, timeoutMs, 'open loop');
  }
}
