/**
 * The "p99 at half of peak throughput" cells (issue 7): which rate they offer, and what their notes say.
 *
 * Protocol level: the open-loop generator sends every request in its own frame, as depth 1 does, and at
 * these rates a connection rarely has more than one request in flight. The peak of that request pattern
 * is the depth-1 rate, so half peak is half the depth-1 rate of the same target in the same run. (Half the
 * depth-16 rate, as before, offered more than the depth-1 peak: the servers ran saturated and the p99 was
 * queueing, not latency.) App level: half the best closed-loop app rate of the same client and target.
 *
 * Placement (since 2026-11-27 13:40): a half-peak cell whose target is one server process runs with the
 * generator pinned to one core and the server to the other (taskset), so the two do not take turns on the
 * same core and the generator's own delays do not pass for the server's. Targets of several processes
 * (3 nodes, Redis Cluster) are not pinned: one core for all of them would measure something else.
 */
import type { GeneratorDelays } from '../lib/latency.js';
import type { ServerDelays } from '../lib/node-metrics.js';
import type { RunQueueWait } from '../lib/schedstat.js';
import type { LoadResult } from '../lib/ws-load.js';

/** The load label whose rate defines the protocol-level peak: the same one-request-per-frame pattern. */
export const protocolPeakLoad = 'depth 1';
/** Below this an open-loop cell is not worth running (a target that barely answered). */
const openLoopRateMin = 100;

interface RateRow {
  target: string;
  load: string;
  result?: { opsPerSecond: number };
}

/** Half the target's depth-1 rate, or undefined when depth 1 was not measured for it. */
export function halfPeakRate(rows: readonly RateRow[], target: string): number | undefined {
  const peak = rows.find((row) => row.target === target && row.load === protocolPeakLoad)?.result;
  if (peak === undefined) return undefined;
  return Math.max(openLoopRateMin, Math.round(peak.opsPerSecond / 2));
}

/** Half the best of the target's closed-loop app rates (the same client, the same calls). */
export function halfAppPeakRate(appRates: readonly number[]): number {
  return Math.max(openLoopRateMin, Math.round(Math.max(0, ...appRates) / 2));
}

/** Where a half-peak cell's processes run, and the words its note uses for that. */
export interface Placement {
  pin: boolean;
  text: string;
}

export function halfPeakPlacement(
  serverProcesses: number,
  pinRequested: boolean,
  pinningAvailable: boolean,
): Placement {
  if (!pinRequested) return { pin: false, text: 'not pinned (--no-pin)' };
  if (serverProcesses !== 1) {
    return { pin: false, text: `not pinned (${serverProcesses} server processes share both cores)` };
  }
  if (!pinningAvailable) return { pin: false, text: 'not pinned (no taskset, or one core)' };
  return { pin: true, text: 'generator on CPU 0, server on CPU 1' };
}

/** Which generator ran a cell, and how long the two main threads waited for a core meanwhile. */
export interface GeneratorContext {
  generatorText: string;
  waits: { server?: RunQueueWait; generator?: RunQueueWait };
}

/** The generator's and the server's own delays, in a row's note: how much of the tail they explain. */
export function halfPeakNote(
  offeredPerSecond: number,
  result: LoadResult,
  server: ServerDelays | undefined,
  placement?: Placement,
  context?: GeneratorContext,
): string {
  const parts = [`${offeredPerSecond} ops/s offered`];
  if (placement) parts.push(placement.text);
  if (context) parts.push(context.generatorText);
  if (result.latencyFromSend)
    parts.push(`p99 from actual send ${result.latencyFromSend.p99Ms.toFixed(1)} ms`);
  if (result.generator) parts.push(generatorPart(result.generator));
  if (server) {
    const major =
      server.majorGcPauses > 0
        ? ` (major ${server.majorGcPauses}, ${server.majorGcTotalMs.toFixed(0)} ms)`
        : ' (no major)';
    parts.push(
      `server loop delay p99 ${server.loopDelayP99Ms.toFixed(1)} ms, GC ${server.gcPauses} pauses ${server.gcTotalMs.toFixed(0)} ms${major}`,
    );
  }
  const waits = context ? runQueuePart(context.waits) : undefined;
  if (waits) parts.push(waits);
  return parts.join('; ');
}

/** Time each main thread was runnable but off a core (other work on the machine), per second of the cell. */
function runQueuePart(waits: GeneratorContext['waits']): string | undefined {
  const named = [
    ['server', waits.server],
    ['generator', waits.generator],
  ] as const;
  const known = named.filter(([, wait]) => wait !== undefined);
  if (known.length === 0) return undefined;
  const text = known.map(([name, wait]) => `${name} ${wait!.waitMsPerSecond.toFixed(1)}`).join(', ');
  return `run-queue wait ms/s ${text}`;
}

/** The send lag has its own column (beside the p99); the note adds the generator's loop delay and GC. */
function generatorPart(generator: GeneratorDelays): string {
  return `generator loop delay p99 ${generator.loopDelayP99Ms.toFixed(1)} ms, GC ${generator.gcPauses} pauses max ${generator.gcMaxMs.toFixed(1)} ms`;
}
