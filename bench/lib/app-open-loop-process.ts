/**
 * Runs the application-level open-loop load (`runAppOpenLoop`: a client library called at a fixed rate)
 * in a process of its own, as `open-loop-process.ts` does for the protocol-level generator: in the bench
 * process the timer that issues calls shares one event loop with the client library's reply handling,
 * falls behind at half-peak rates and skips calls, so the p99 measured the generator. The child builds
 * the client itself from a serialisable description (`AppClient`), connects, warms it up and says
 * `ready`; the cell's measurements wrap only `run`, which also reads the child's CPU from /proc.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIoredisClusterAdapter } from '../cluster/redis-adapter.js';
import { createRingClientAdapter } from '../cluster/ringkv-adapter.js';
import type { KvAdapter } from './app-load.js';
import type {
  AppChildMessage,
  AppChildStart,
  AppOpenLoopOptions,
  ClientWarmup,
} from './app-open-loop-child.js';
import { nextChildMessage } from './child-message.js';
import { processCpuSeconds } from './cpu.js';
import type { LoadResult } from './ws-load.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app-open-loop-child.ts');
/** Time to start the child (tsx), build the client, connect it and warm it up. */
const startTimeoutMsDefault = 60_000;
/**
 * Node flags of the child. The client library keeps every call's objects alive until its reply, so a
 * scavenge's pause grows with the young generation: the protocol-level generator's 32 MB semi-space
 * (`openLoopNodeFlags`, for a generator that allocates little) and Node's default (16 MB) gave this child
 * scavenges of up to 5.7-10.1 and 4.2-25.7 ms and a p99 of 6.2-8.6 and 9.4-68 ms at 40,000 calls/s;
 * 8 MB, as the ringkv nodes use, up to 2.2-2.8 ms and 4.3-5.4 ms (3 interleaved rounds, 2026-11-27
 * 21:40, one pinned node, load 0.6-1.2). No `--expose-gc`: the child does not force a collection.
 */
export const appOpenLoopNodeFlags = ['--max-semi-space-size=8'];

/**
 * The child's closed loop before `ready`: in the bench process the open-loop cell always ran after the
 * closed-loop app cells, with the client's code optimised. A cold child offered 35,000 calls/s fell behind
 * in its first second and did not catch up (p99 164-504 ms, 6,000-70,000 calls skipped); after 3 s of 50
 * workers, 5-11 ms and none skipped (2026-11-27 21:35, one node, pinned).
 */
export const clientWarmupDefault: ClientWarmup = { workers: 50, durationMs: 3_000 };
/** Time ioredis gets to connect and read the Redis Cluster's slot map. */
const redisReadyTimeoutMs = 30_000;
/** Time past warm-up and window for the drain (up to 5 s in runAppOpenLoop), closing, and the result. */
const resultSpareMs = 30_000;
/** Time the child gets to exit after the parent lets it go, before SIGKILL. */
const exitGraceMs = 2_000;

/** Which client library the child builds, and against what: plain data, sent over IPC. */
export type AppClient = { kind: 'ringkv'; urls: string[] } | { kind: 'redis'; ports: number[] };

export type { AppOpenLoopOptions, ClientWarmup } from './app-open-loop-child.js';

/** RingClient (connected to its home node) or ioredis Cluster (once it has the slot map). */
export async function createAppAdapter(client: AppClient): Promise<KvAdapter> {
  if (client.kind === 'ringkv') return createRingClientAdapter(client.urls);
  const { adapter, cluster } = createIoredisClusterAdapter(client.ports);
  if (cluster.status === 'ready') return adapter;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise((resolve, reject) => {
      cluster.once('ready', resolve);
      timer = setTimeout(() => {
        const ports = client.ports.join(', ');
        reject(new Error(`Redis Cluster on ports ${ports} not ready within ${redisReadyTimeoutMs} ms`));
      }, redisReadyTimeoutMs);
    });
  } catch (error) {
    cluster.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return adapter;
}

export interface AppOpenLoopOutcome {
  result: LoadResult;
  /** The child's CPU (user + system, from /proc) from `go` to its result, in % of one core. */
  cpuPercent: number;
}

export class AppOpenLoopProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly options: AppOpenLoopOptions,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(
    client: AppClient,
    options: AppOpenLoopOptions,
    {
      warmup = clientWarmupDefault,
      startTimeoutMs = startTimeoutMsDefault,
      extraNodeFlags = [] as readonly string[],
    } = {},
  ): Promise<AppOpenLoopProcess> {
    const child = fork(childScript, [], {
      // `extraNodeFlags`: for diagnosis (e.g. --trace-gc, whose lines go to this process's stdout).
      execArgv: ['--import', 'tsx', ...appOpenLoopNodeFlags, ...extraNodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const generator = new AppOpenLoopProcess(child, options);
    const start: AppChildStart = { type: 'start', client, options, warmup };
    child.send(start);
    try {
      await generator.next('ready', startTimeoutMs);
    } catch (error) {
      generator.kill();
      throw error;
    }
    return generator;
  }

  /** Runs the load (warm-up, window, drain); the child closes its client, answers, and exits. */
  async run(): Promise<AppOpenLoopOutcome> {
    try {
      const cpuBefore = processCpuSeconds(this.pid);
      const started = performance.now();
      this.child.send({ type: 'go' });
      const timeoutMs = this.options.warmupMs + this.options.durationMs + resultSpareMs;
      const message = await this.next('result', timeoutMs);
      if (message.type !== 'result') throw new Error('app open loop: no result');
      // The child waits for the disconnect below before exiting, so its /proc entry is still there.
      const cpuSeconds = processCpuSeconds(this.pid) - cpuBefore;
      const elapsedSeconds = (performance.now() - started) / 1000;
      return { result: message.result, cpuPercent: (cpuSeconds / elapsedSeconds) * 100 };
    } finally {
      await this.stop();
    }
  }

  /** Lets the child go (it exits on disconnect) and waits for it; SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.exited()) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.kill(), exitGraceMs);
    await exited;
    clearTimeout(timer);
  }

  private kill(): void {
    if (!this.exited()) this.child.kill('SIGKILL');
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private next(type: AppChildMessage['type'], timeoutMs: number): Promise<AppChildMessage> {
    return nextChildMessage<AppChildMessage>(this.child, type, timeoutMs, 'app open loop');
  }
}
