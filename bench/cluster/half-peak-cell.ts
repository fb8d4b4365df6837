/**
 * One protocol-level half-peak cell of `bench:cluster`: placement (generator and a one-process server on
 * different cores), the server's delays from `/metrics`, CPU shares and run-queue waits around the load,
 * and the load itself from the generator `--half-generator` names:
 * - `process` (the default since 2026-11-27 session 13): `bench/lib/open-loop.ts` in its own process,
 *   started (frames built, connections open) before the measurements begin, with `--half-schedule paced`
 *   (each request sent at its time) or `interval` (a 1 ms timer);
 * - `ws`: `bench/lib/ws-load.ts` in the bench process with its 1 ms timer, as every cell before.
 * Either way each request is timed from its intended send time, and the generator's send lag is reported.
 */
import { withCpuShares } from '../lib/cpu.js';
import type { ServerDelays } from '../lib/node-metrics.js';
import { OpenLoopProcess } from '../lib/open-loop-process.js';
import { type RunQueueWait, withRunQueueWaits } from '../lib/schedstat.js';
import { type LoadResult, runWsLoad, type WsLoadOptions } from '../lib/ws-load.js';
import { withHalfPeakPlacement, withOptionalServerDelays } from './app-cells.js';
import type { ClusterBenchConfig } from './config.js';
import type { Placement } from './half-peak.js';

export interface HalfPeakOutcome {
  result: LoadResult;
  cpu: { serverPercent: number; generatorPercent: number };
  server: ServerDelays | undefined;
  placement: Placement;
  /** Main-thread run-queue waits during the cell: the server's first process and the generator. */
  waits: { server?: RunQueueWait; generator?: RunQueueWait };
  /** Which generator ran, in the words the row's note uses. */
  generatorText: string;
}

export async function runHalfPeakCell(
  serverPids: number[],
  config: ClusterBenchConfig,
  metricsAddress: string | undefined,
  load: WsLoadOptions & { shape: { kind: 'rate'; opsPerSecond: number; inflightPerConnectionMax: number } },
): Promise<HalfPeakOutcome> {
  const [outcome, placement] = await withHalfPeakPlacement(serverPids, config, () =>
    config.halfGenerator === 'ws'
      ? wsCell(serverPids, metricsAddress, load)
      : processCell(serverPids, config, metricsAddress, load),
  );
  return { ...outcome, placement };
}

type CellWithoutPlacement = Omit<HalfPeakOutcome, 'placement'>;

async function wsCell(
  serverPids: number[],
  metricsAddress: string | undefined,
  load: WsLoadOptions,
): Promise<CellWithoutPlacement> {
  const [[[result, cpu], server], [serverWait, generatorWait]] = await withRunQueueWaits(
    [serverPids[0]!, process.pid],
    () => withOptionalServerDelays(metricsAddress, () => withCpuShares(serverPids, () => runWsLoad(load))),
  );
  const waits = { server: serverWait, generator: generatorWait };
  return { result, cpu, server, waits, generatorText: 'generator ws-load in the bench process, 1 ms timer' };
}

/** The child inherits this process's affinity, so starting it inside the placement pins it with us. */
async function processCell(
  serverPids: number[],
  config: ClusterBenchConfig,
  metricsAddress: string | undefined,
  load: WsLoadOptions & { shape: { kind: 'rate'; opsPerSecond: number; inflightPerConnectionMax: number } },
): Promise<CellWithoutPlacement> {
  const options = {
    urls: load.urls,
    connections: load.connections,
    opsPerSecond: load.shape.opsPerSecond,
    inflightPerConnectionMax: load.shape.inflightPerConnectionMax,
    warmupMs: load.warmupMs,
    durationMs: load.durationMs,
    schedule: config.halfSchedule,
  };
  const generator = await OpenLoopProcess.start(options, load);
  const [[[result, cpu], server], [serverWait]] = await withRunQueueWaits([serverPids[0]!], () =>
    withOptionalServerDelays(metricsAddress, () => withCpuShares(serverPids, () => generator.run())),
  );
  return {
    result,
    cpu: { serverPercent: cpu.serverPercent, generatorPercent: result.cpuPercent },
    server,
    waits: { server: serverWait, generator: result.runQueueWait },
    generatorText: `generator in its own process, ${config.halfSchedule} sends`,
  };
}
