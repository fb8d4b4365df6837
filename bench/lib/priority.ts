/**
 * Scheduling priority (niceness) of every thread of a process, for diagnosing a latency tail on a shared
 * machine: with the generator and the server at a higher priority than other work, what remains of the
 * tail is theirs. A diagnostic only (it changes the machine, not the code under test); a cell run with
 * it says so. Lowering niceness below 0 needs root (or CAP_SYS_NICE).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

export const nicenessMin = -20;
export const nicenessMax = 19;

/** Sets `niceness` on each thread of `pid` (Linux priorities are per thread: `renice -p` takes a tid). */
export function setProcessNiceness(pid: number, niceness: number): void {
  if (!Number.isInteger(niceness) || niceness < nicenessMin || niceness > nicenessMax) {
    throw new Error(`niceness must be an integer from ${nicenessMin} to ${nicenessMax}, got ${niceness}`);
  }
  const threads = readdirSync(`/proc/${pid}/task`);
  execFileSync('renice', ['-n', String(niceness), '-p', ...threads], { stdio: 'ignore' });
}
