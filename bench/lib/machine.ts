/**
 * What machine a benchmark ran on, so numbers in BENCHMARKS.md can be compared only with their peers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  dateIso: string;
  nproc: number;
  cpuModel: string;
  memoryTotalBytes: number;
  nodeVersion: string;
  /** 1-minute load average when the run started: other work on the machine shows here. */
  loadAverageAtStart: number;
}

/** The CPU model as /proc/cpuinfo names it (first `model name` line), or os.cpus() elsewhere. */
export function cpuModelName(cpuinfoText: string | undefined): string {
  const match = cpuinfoText ? /^model name\s*:\s*(.+)$/m.exec(cpuinfoText) : null;
  if (match?.[1]) return match[1].trim();
  return os.cpus()[0]?.model ?? 'unknown';
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch (error) {
    console.warn(`bench: /proc/cpuinfo unreadable (${String(error)}); using os.cpus()`);
    return undefined;
  }
}

function nprocCount(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch (error) {
    console.warn(`bench: nproc failed (${String(error)}); using os.availableParallelism()`);
    return os.availableParallelism();
  }
}

export function machineInfo(): MachineInfo {
  return {
    dateIso: new Date().toISOString(),
    nproc: nprocCount(),
    cpuModel: cpuModelName(readCpuinfo()),
    memoryTotalBytes: os.totalmem(),
    nodeVersion: process.version,
    loadAverageAtStart: os.loadavg()[0] ?? 0,
  };
}

/** A run on a machine already busier than its cores says so, next to its numbers. */
function sharedMachineNote(machine: MachineInfo): string[] {
  if (machine.loadAverageAtStart <= machine.nproc) return [];
  return [
    '',
    `**The machine was shared**: its load average (${machine.loadAverageAtStart.toFixed(1)}) exceeded its ` +
      `${machine.nproc} CPUs when the run started, so every number here is lower and noisier than the same ` +
      'code would give on an idle machine (where a table has CPU columns, they show how much of a core each ' +
      'side actually got).',
  ];
}

/** One markdown paragraph describing the run: the command, the date and the machine. */
export function describeRun(command: string, machine: MachineInfo, notes: string[] = []): string {
  const memoryGiB = (machine.memoryTotalBytes / 2 ** 30).toFixed(1);
  const lines = [
    `Command: \`${command}\`. Run ${machine.dateIso} on ${machine.nproc} CPUs (\`nproc\`), ` +
      `${machine.cpuModel}, ${memoryGiB} GiB RAM, Node ${machine.nodeVersion}; ` +
      `1-minute load average at start ${machine.loadAverageAtStart.toFixed(2)}.`,
    ...sharedMachineNote(machine),
    ...notes,
  ];
  return lines.join('\n');
}
