/**
 * CPU used by the servers and by the load generator during a cell, as a percentage of one core. On a
 * 2-core machine this says who was the bottleneck: a generator near 100% measures itself, not the server.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat times; 100 on every Linux we run on (getconf CLK_TCK). */
const clockTicksPerSecond = 100;

/** User + system CPU seconds of a process so far, from /proc/PID/stat (0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / clockTicksPerSecond;
}

/** Read and write system calls of a process so far, from /proc/PID/io (zeros when it is gone). A socket
 * `read` or `writev` carries one or more frames, so calls per operation show how well turns batch. */
export function processSyscalls(pid: number | 'self'): { reads: number; writes: number } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reads: 0, writes: 0 };
    throw error;
  }
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { reads: field('syscr'), writes: field('syscw') };
}

export interface CpuShares {
  /** CPU of all server processes together, in % of one core. */
  serverPercent: number;
  /** CPU of this process (the load generator), in % of one core. */
  generatorPercent: number;
}

/** Runs `work` and reports the CPU the given server processes and this process used meanwhile. */
export async function withCpuShares<T>(
  serverPids: readonly number[],
  work: () => Promise<T>,
): Promise<[T, CpuShares]> {
  const serverBefore = serverPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const elapsedSeconds = (performance.now() - started) / 1000;
  const serverAfter = serverPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const generator = process.cpuUsage(generatorBefore);
  return [
    result,
    {
      serverPercent: ((serverAfter - serverBefore) / elapsedSeconds) * 100,
      generatorPercent: ((generator.user + generator.system) / 1e6 / elapsedSeconds) * 100,
    },
  ];
}
