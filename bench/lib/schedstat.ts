/**
 * How long a process's main thread waited for a CPU while it was runnable (Linux `/proc/PID/task/TID/
 * schedstat`: time on the CPU, time waiting on a run queue, timeslices). On a 2-core machine shared with
 * other work this is the part of a latency tail that neither the generator nor the server computed: the
 * thread was ready and another process had its core. Only totals exist (no per-wait distribution without
 * the kernel's schedstats switch, which this machine does not expose), so a cell reports the total wait
 * per second and per timeslice beside its p99.
 */
import { readFileSync } from 'node:fs';

export interface ThreadSchedule {
  runNs: number;
  waitNs: number;
  timeslices: number;
}

/** `123456 7890 12` -> run, wait (ns) and timeslices; undefined for anything else. */
export function parseSchedstat(text: string): ThreadSchedule | undefined {
  const fields = text.trim().split(/\s+/).map(Number);
  if (fields.length !== 3 || fields.some((field) => !Number.isFinite(field) || field < 0)) return undefined;
  return { runNs: fields[0]!, waitNs: fields[1]!, timeslices: fields[2]! };
}

/** The main thread's schedule so far (its tid is the pid); undefined when the process or file is gone. */
export function readMainThreadSchedule(pid: number): ThreadSchedule | undefined {
  try {
    return parseSchedstat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** What a main thread's run-queue wait came to over a window. */
export interface RunQueueWait {
  /** Milliseconds spent runnable but waiting for a core, per second of the window. */
  waitMsPerSecond: number;
  /** The mean wait per timeslice, in microseconds (a timeslice is one stretch on a CPU). */
  waitMicrosPerTimeslice: number;
  /** CPU time of the main thread, in % of one core. */
  runPercent: number;
}

export function runQueueWaitBetween(
  before: ThreadSchedule,
  after: ThreadSchedule,
  windowMs: number,
): RunQueueWait {
  const waitNs = after.waitNs - before.waitNs;
  const slices = after.timeslices - before.timeslices;
  return {
    waitMsPerSecond: windowMs > 0 ? waitNs / 1e6 / (windowMs / 1000) : 0,
    waitMicrosPerTimeslice: slices > 0 ? waitNs / 1e3 / slices : 0,
    runPercent: windowMs > 0 ? ((after.runNs - before.runNs) / 1e6 / windowMs) * 100 : 0,
  };
}

/** Runs `work` and reports each process's main-thread run-queue wait meanwhile (in `pids` order). */
export async function withRunQueueWaits<T>(
  pids: readonly number[],
  work: () => Promise<T>,
): Promise<[T, Array<RunQueueWait | undefined>]> {
  const before = pids.map((pid) => readMainThreadSchedule(pid));
  const started = performance.now();
  const result = await work();
  const windowMs = performance.now() - started;
  const waits = pids.map((pid, index) => {
    const first = before[index];
    const last = readMainThreadSchedule(pid);
    return first && last ? runQueueWaitBetween(first, last, windowMs) : undefined;
  });
  return [result, waits];
}

export function describeRunQueueWait(wait: RunQueueWait | undefined): string {
  if (wait === undefined) return 'run-queue wait unknown';
  return `run-queue wait ${wait.waitMsPerSecond.toFixed(1)} ms/s (${wait.waitMicrosPerTimeslice.toFixed(0)} us per timeslice, main thread at ${wait.runPercent.toFixed(0)}%)`;
}
