/**
 * CPU affinity with `taskset` (util-linux): on a 2-core machine the load generator and the server
 * compete for the same cores, and the generator's send lag then shows up as the server's latency.
 * Pinning the generator to one core and the server to the other keeps each off the other's core; every
 * thread of a process is moved (`-a`: V8's GC helpers and libuv's pool too).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Which cores the generator and the server get when a cell is pinned. */
export interface CpuSplit {
  generatorCpus: string;
  serverCpus: string;
}

export const defaultCpuSplit: CpuSplit = { generatorCpus: '0', serverCpus: '1' };

/** Whether pinning can be done here: `taskset` on the PATH and at least two cores. */
export function pinningAvailable(): boolean {
  if (os.availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The affinity list of a process as taskset prints it (`0,1`, `0-1`). */
export function affinityOf(pid: number): string {
  const text = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
  return parseAffinityList(text);
}

/** `pid 123's current affinity list: 0,1` -> `0,1`. */
export function parseAffinityList(tasksetOutput: string): string {
  const match = /affinity list:\s*(\S+)/.exec(tasksetOutput);
  if (!match) throw new Error(`taskset: cannot read an affinity list from ${JSON.stringify(tasksetOutput)}`);
  return match[1]!;
}

/** Moves every thread of `pid` to `cpus` (a taskset list). */
export function setAffinity(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Runs `work` with this process (the generator) on `split.generatorCpus` and the servers on
 * `split.serverCpus`, then puts every process back on the cores it had before.
 */
export async function withPinnedCpus<T>(
  serverPids: readonly number[],
  split: CpuSplit,
  work: () => Promise<T>,
): Promise<T> {
  const pids = [process.pid, ...serverPids];
  const before = pids.map((pid) => affinityOf(pid));
  try {
    setAffinity(process.pid, split.generatorCpus);
    for (const pid of serverPids) setAffinity(pid, split.serverCpus);
    return await work();
  } finally {
    pids.forEach((pid, index) => {
      try {
        setAffinity(pid, before[index]!);
      } catch (error) {
        console.warn(`bench: could not restore the CPU affinity of ${pid}: ${String(error)}`);
      }
    });
  }
}
