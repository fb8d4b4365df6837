/**
 * The application-level cells of `bench:cluster` (a client library driven by W workers, then open loop
 * at half its best rate, the client and its call timer then in a process of their own), and the logging
 * the protocol-level cells share.
 */
import { defaultCpuSplit, pinningAvailable, withPinnedCpus } from '../lib/affinity.js';
import { runAppLoad } from '../lib/app-load.js';
import {
  type AppClient,
  type AppOpenLoopOptions,
  AppOpenLoopProcess,
  createAppAdapter,
} from '../lib/app-open-loop-process.js';
import { withCpuShares } from '../lib/cpu.js';
import { describeServerDelays, type ServerDelays, withServerDelays } from '../lib/node-metrics.js';
import type { LoadResult } from '../lib/ws-load.js';
import type { ClusterBenchConfig } from './config.js';
import { halfAppPeakRate, halfPeakNote, halfPeakPlacement, type Placement } from './half-peak.js';
import type { ResultRow } from './scenarios.js';

/** The app half-peak generator, in the words its log line and note use. */
const appGeneratorText = 'generator in its own process';

export function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Server delays around `work` when the target has a ringkv `/metrics` to read (not the echo). */
export async function withOptionalServerDelays<T>(
  metricsAddress: string | undefined,
  work: () => Promise<T>,
): Promise<[T, ServerDelays | undefined]> {
  if (metricsAddress === undefined) return [await work(), undefined];
  return withServerDelays(metricsAddress, work);
}

/** Runs a half-peak cell pinned (generator and server on different cores) when `halfPeakPlacement` says so. */
export async function withHalfPeakPlacement<T>(
  serverPids: readonly number[],
  config: ClusterBenchConfig,
  work: () => Promise<T>,
): Promise<[T, Placement]> {
  const placement = halfPeakPlacement(
    serverPids.length,
    config.pinHalfPeak,
    config.pinHalfPeak && pinningAvailable(),
  );
  const result = placement.pin ? await withPinnedCpus(serverPids, defaultCpuSplit, work) : await work();
  return [result, placement];
}

export function logDelays(target: string, result: LoadResult, server: ServerDelays | undefined): void {
  const generator = result.generator;
  if (generator) {
    log(
      `${target} generator: send lag p99 ${generator.sendLagP99Ms.toFixed(2)} max ${generator.sendLagMaxMs.toFixed(1)} ms, ` +
        `loop delay p99 ${generator.loopDelayP99Ms.toFixed(2)} max ${generator.loopDelayMaxMs.toFixed(1)} ms`,
    );
  }
  if (server) log(`${target} ${describeServerDelays(server)}`);
}

export function describeResult(result: LoadResult): string {
  const errors = result.errors > 0 ? `, ${result.errors} errors (${result.errorSample})` : '';
  return `${Math.round(result.opsPerSecond)} ops/s, p99 ${result.latency.p99Ms.toFixed(2)} ms${errors}`;
}

export async function appCells(
  target: string,
  serverPids: number[],
  client: AppClient,
  value: string,
  config: ClusterBenchConfig,
  rows: ResultRow[],
  metricsAddress?: string,
) {
  const base = { durationMs: config.cellMs, warmupMs: config.warmupMs, keyspace: config.keys, seed: 11 };
  const options = { ...base, readFraction: config.readFraction, value };
  if (!config.shapes.includes('app')) return;
  const appRates: number[] = [];
  for (const workers of config.appWorkers) {
    const adapter = await createAppAdapter(client);
    try {
      const [result, cpu] = await withCpuShares(serverPids, () =>
        runAppLoad(adapter, { ...options, workers }),
      );
      appRates.push(result.opsPerSecond);
      log(
        `${target} app ${workers} workers: ${describeResult(result)}; CPU server ${Math.round(cpu.serverPercent)}% app ${Math.round(cpu.generatorPercent)}%`,
      );
      rows.push({
        target,
        level: 'app',
        load: `app ${workers} workers`,
        result,
        serverCpuPercent: cpu.serverPercent,
        generatorCpuPercent: cpu.generatorPercent,
      });
    } finally {
      await adapter.close();
    }
  }
  if (!config.shapes.includes('half')) return;
  const opsPerSecond = halfAppPeakRate(appRates);
  const openLoop = {
    ...options,
    durationMs: config.halfCellMs,
    workers: 0,
    opsPerSecond,
    inflightMax: 10_000,
  };
  const cell = { target, serverPids, client, config, metricsAddress };
  rows.push(await appHalfPeakCell(cell, openLoop));
}

/** What the app half-peak cell runs against: the target's servers and the client the child builds. */
interface AppCellTarget {
  target: string;
  serverPids: number[];
  client: AppClient;
  config: ClusterBenchConfig;
  metricsAddress: string | undefined;
}

/**
 * The open-loop app cell at half the best app rate, with the client library and its call timer in a
 * process of their own (`app-open-loop-process.ts`); the generator's CPU is that process's.
 */
async function appHalfPeakCell(cell: AppCellTarget, openLoop: AppOpenLoopOptions): Promise<ResultRow> {
  const { target, serverPids, metricsAddress } = cell;
  // The child inherits this process's affinity, so starting it inside the placement pins it with us.
  const [[[outcome, cpu], server], placement] = await withHalfPeakPlacement(
    serverPids,
    cell.config,
    async () => {
      const generator = await AppOpenLoopProcess.start(cell.client, openLoop);
      try {
        return await withOptionalServerDelays(metricsAddress, () =>
          withCpuShares(serverPids, () => generator.run()),
        );
      } finally {
        await generator.stop();
      }
    },
  );
  const { result } = outcome;
  log(
    `${target} app half peak (${openLoop.opsPerSecond}/s, ${placement.text}, ${appGeneratorText}): ${describeResult(result)}, ${result.skipped} skipped`,
  );
  logDelays(target, result, server);
  const context = { generatorText: appGeneratorText, waits: {} };
  return {
    target,
    level: 'app',
    load: 'app half peak, open loop',
    result,
    serverCpuPercent: cpu.serverPercent,
    generatorCpuPercent: outcome.cpuPercent,
    note: halfPeakNote(openLoop.opsPerSecond, result, server, placement, context),
  };
}
