/**
 * One open-loop (half-peak) cell against one server process, with that process's GC traced: what the
 * client saw (p99 from the intended and from the actual send), what the generator added (send lag), and
 * what the server's collections cost and kept per request (`--trace-gc-nvp`). The tool for finding what
 * survives a scavenge per request and what grows the old generation; the numbers in docs/PERFORMANCE.md's
 * GC rows come from it.
 * Also the main threads' run-queue waits (time runnable but off a core: other work on the machine) and,
 * with `--generator process`, the lean generator in its own process (`bench/lib/open-loop.ts`), with
 * `--schedule interval` (a 1 ms timer, as `ws-load.ts`) or `paced` (each request sent at its time).
 * Usage: npx tsx bench/cluster/gc-half-peak.ts [--target ringkv-1|echo] [--rate 8700] [--seconds 20]
 *        [--generator ws|process] [--schedule interval|paced|spin] [--nice -10 (diagnostic)]
 *        [--warmup-seconds 3] [--no-pin] [--node-flag=--max-semi-space-size=4 ...] [--keep]
 *        [--preload-batch 500] [--echo-script bench/micro/gc-layers/server.ts --echo-arg=--cork ...] (another server as `echo`)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCpuSplit, pinningAvailable, withPinnedCpus } from '../lib/affinity.js';
import { withCpuShares } from '../lib/cpu.js';
import { parseGcTrace, summarizeGc } from '../lib/gc-trace.js';
import { jsonValueText } from '../lib/keys.js';
import { type SendSchedule, sendSchedules } from '../lib/open-loop.js';
import { OpenLoopProcess } from '../lib/open-loop-process.js';
import { allocatePort } from '../lib/ports.js';
import { setProcessNiceness } from '../lib/priority.js';
import { startProcess, stopAll, type Tracked, waitUntil } from '../lib/processes.js';
import { repositoryRoot, startRingkvNode } from '../lib/ringkv.js';
import { describeRunQueueWait, type RunQueueWait, withRunQueueWaits } from '../lib/schedstat.js';
import { type LoadResult, runWsLoad, type WsLoadOptions } from '../lib/ws-load.js';
import { preloadWs } from '../lib/ws-preload.js';

interface Target {
  url: string;
  process: Tracked;
  logFile: string;
}

interface EchoScript {
  script: string;
  args: string[];
}

async function startEcho(directory: string, flags: string[], echo: EchoScript): Promise<Target> {
  const port = await allocatePort();
  const logFile = path.join(directory, 'echo.log');
  const args = [...flags, '--import', 'tsx', echo.script, String(port), ...echo.args];
  const child = startProcess('echo', process.execPath, args, { cwd: repositoryRoot, logFile });
  const url = `ws://127.0.0.1:${port}/ws`;
  const probe = { urls: [url], count: 1, valueJson: jsonValueText, batchSize: 1, connections: 1 };
  await waitUntil(
    'echo',
    async () => (await preloadWs({ ...probe, timeoutMs: 2_000 })).failures === 0,
    20_000,
  );
  return { url, process: child, logFile };
}

async function startTarget(
  name: string,
  directory: string,
  flags: string[],
  echo: EchoScript,
): Promise<Target> {
  if (name === 'echo') return startEcho(directory, flags, echo);
  if (name !== 'ringkv-1') throw new Error(`--target must be ringkv-1 or echo, got ${name}`);
  const node = await startRingkvNode({ logDirectory: directory, nodeFlags: flags });
  return {
    url: `ws://${node.address}/ws`,
    process: node.process,
    logFile: path.join(directory, `ringkv-${node.port}.log`),
  };
}

function logText(file: string): string {
  return readFileSync(file, 'utf8');
}

function describe(result: LoadResult): string {
  const generator = result.generator;
  return [
    `${Math.round(result.opsPerSecond)} ops/s, p50 ${result.latency.p50Ms.toFixed(2)} p99 ${result.latency.p99Ms.toFixed(2)} p99.9 ${result.latency.p999Ms.toFixed(2)} max ${result.latency.maxMs.toFixed(1)} ms`,
    `p99 from actual send ${result.latencyFromSend?.p99Ms.toFixed(2)} ms`,
    generator
      ? `generator send lag p99 ${generator.sendLagP99Ms.toFixed(2)} max ${generator.sendLagMaxMs.toFixed(1)} ms, GC ${generator.gcPauses} pauses max ${generator.gcMaxMs.toFixed(1)} ms`
      : '',
    `${result.skipped} skipped, ${result.errors} errors`,
  ].join('; ');
}

interface Windows {
  warmupMs: number;
  durationMs: number;
  /** `--nice`: the niceness given to the server's and the generator's threads (a diagnostic). */
  niceness: number | undefined;
  nicePids: (pids: number[]) => number[];
}

interface CellOutcome {
  result: LoadResult;
  cpu: { serverPercent: number; generatorPercent: number };
  trace: string;
  waits: { server?: RunQueueWait; generator?: RunQueueWait };
}

/** `ws-load.ts` in this process; the warm-up runs unrecorded, the GC trace is cut at the window's edges. */
async function wsCell(
  target: Target,
  load: Omit<WsLoadOptions, 'durationMs' | 'warmupMs'>,
  windows: Windows,
) {
  for (const pid of windows.nicePids([target.process.pid, process.pid])) {
    setProcessNiceness(pid, windows.niceness!);
  }
  await runWsLoad({ ...load, durationMs: windows.warmupMs, warmupMs: 0 });
  const offset = logText(target.logFile).length;
  const pids = [target.process.pid, process.pid];
  const [[result, cpu], [server, generator]] = await withRunQueueWaits(pids, () =>
    withCpuShares([target.process.pid], () =>
      runWsLoad({ ...load, durationMs: windows.durationMs, warmupMs: 0 }),
    ),
  );
  return { result, cpu, trace: logText(target.logFile).slice(offset), waits: { server, generator } };
}

/** The lean generator in its own process (it inherits this process's pinning when started inside it). */
async function processCell(
  target: Target,
  load: Omit<WsLoadOptions, 'durationMs' | 'warmupMs' | 'shape'> & { rate: number; schedule: SendSchedule },
  windows: Windows,
): Promise<CellOutcome> {
  const options = {
    urls: load.urls,
    connections: load.connections,
    opsPerSecond: load.rate,
    inflightPerConnectionMax: 256,
    schedule: load.schedule,
    ...windows,
  };
  const generator = await OpenLoopProcess.start(options, load);
  for (const pid of windows.nicePids([target.process.pid, generator.pid])) {
    setProcessNiceness(pid, windows.niceness!);
  }
  let offset = logText(target.logFile).length;
  const [[result, cpu], [server]] = await withRunQueueWaits([target.process.pid], () =>
    withCpuShares([target.process.pid], () =>
      generator.run(() => {
        offset = logText(target.logFile).length;
      }),
    ),
  );
  const shares = { serverPercent: cpu.serverPercent, generatorPercent: result.cpuPercent };
  const trace = logText(target.logFile).slice(offset);
  return { result, cpu: shares, trace, waits: { server, generator: result.runQueueWait } };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      target: { type: 'string', default: 'ringkv-1' },
      rate: { type: 'string', default: '8700' },
      seconds: { type: 'string', default: '20' },
      'warmup-seconds': { type: 'string', default: '3' },
      keys: { type: 'string', default: '100000' },
      'read-fraction': { type: 'string', default: '0.9' },
      'no-pin': { type: 'boolean', default: false },
      'node-flag': { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      'preload-batch': { type: 'string', default: '500' },
      'echo-script': { type: 'string', default: 'bench/cluster/echo-server.ts' },
      'echo-arg': { type: 'string', multiple: true, default: [] },
      generator: { type: 'string', default: 'ws' },
      schedule: { type: 'string', default: 'interval' },
      nice: { type: 'string' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmupSeconds = Number(values['warmup-seconds']);
  if (!(rate >= 100 && rate <= 200_000)) throw new Error('--rate must be from 100 to 200000');
  if (!(seconds >= 1 && seconds <= 120)) throw new Error('--seconds must be from 1 to 120');
  if (values.generator !== 'ws' && values.generator !== 'process') {
    throw new Error('--generator must be ws or process');
  }
  const schedule = values.schedule as SendSchedule;
  if (!sendSchedules.includes(schedule)) throw new Error(`--schedule must be one of ${sendSchedules}`);
  if (values.generator === 'ws' && schedule !== 'interval')
    throw new Error('--generator ws has only interval');
  const pin = !values['no-pin'] && pinningAvailable();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-gc-half-peak-'));
  const flags = ['--trace-gc-nvp', ...values['node-flag']];
  const started = new Date().toISOString().slice(11, 19);
  try {
    const echo = { script: values['echo-script'], args: values['echo-arg'] };
    const target = await startTarget(values.target, directory, flags, echo);
    const urls = [target.url];
    const keys = Number(values.keys);
    // Smaller preload batches are for telling apart what the preload's bursts leave behind (V8's
    // allocation-site pretenuring decisions are taken then and never taken back).
    const batchSize = Number(values['preload-batch']);
    const preload = { urls, count: keys, valueJson: jsonValueText, batchSize, connections: 8 };
    const loaded = await preloadWs({ ...preload, timeoutMs: 120_000 });
    if (loaded.failures > 0) throw new Error(`preload: ${loaded.failures} failures`);
    const shape = { kind: 'rate' as const, opsPerSecond: rate, inflightPerConnectionMax: 256 };
    const load = {
      urls,
      connections: 50,
      shape,
      keyspace: keys,
      readFraction: Number(values['read-fraction']),
      valueJson: jsonValueText,
      seed: 7,
    };
    const niceness = values.nice === undefined ? undefined : Number(values.nice);
    const windows = {
      warmupMs: warmupSeconds * 1000,
      durationMs: seconds * 1000,
      niceness,
      nicePids: (pids: number[]) => (niceness === undefined ? [] : pids),
    };
    const cell = () =>
      values.generator === 'ws'
        ? wsCell(target, load, windows)
        : processCell(target, { ...load, rate, schedule }, windows);
    const { result, cpu, trace, waits } = pin
      ? await withPinnedCpus([target.process.pid], defaultCpuSplit, cell)
      : await cell();
    const events = parseGcTrace(trace);
    const gc = summarizeGc(events, 0, Number.POSITIVE_INFINITY, rate * seconds);
    const kb = (bytes: number) => (bytes / 1024).toFixed(1);
    console.log(
      [
        `${values.target === 'echo' ? `${values['echo-script']} ${values['echo-arg'].join(' ')}` : values.target} at ${rate}/s for ${seconds} s (${pin ? 'generator on CPU 0, server on CPU 1' : 'not pinned'}; flags ${flags.join(' ')}; ${started}-${new Date().toISOString().slice(11, 19)}, load ${os.loadavg()[0]!.toFixed(2)})`,
        `  client: ${describe(result)}`,
        `  CPU: server ${cpu.serverPercent.toFixed(0)}%, generator ${cpu.generatorPercent.toFixed(0)}% (${values.generator === 'ws' ? 'ws-load in the bench process' : `own process, ${schedule} schedule`}${values.nice === undefined ? '' : `; both at nice ${values.nice}`})`,
        `  main threads: server ${describeRunQueueWait(waits.server)}; generator ${describeRunQueueWait(waits.generator)}`,
        `  scavenges: ${gc.scavenge.count}, pause median ${gc.scavenge.pauseMedianMs.toFixed(2)} max ${gc.scavenge.pauseMaxMs.toFixed(2)} total ${gc.scavenge.pauseTotalMs.toFixed(0)} ms; per scavenge survived ${kb(gc.scavenge.survivedMeanBytes)} KB, promoted ${kb(gc.scavenge.promotedMeanBytes)} KB`,
        `  per request: survived+promoted ${gc.survivedPerRequestBytes.toFixed(0)} B, promoted ${gc.promotedPerRequestBytes.toFixed(0)} B, heap growth ${gc.heapGrowthPerRequestBytes.toFixed(0)} B`,
        `  mark-compacts: ${gc.markCompact.count}, pause max ${gc.markCompact.pauseMaxMs.toFixed(1)} total ${gc.markCompact.pauseTotalMs.toFixed(0)} ms; other kinds: ${[...new Set(events.map((event) => event.kind))].join(',')}`,
      ].join('\n'),
    );
  } finally {
    await stopAll();
    if (values.keep) console.log(`logs kept in ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

await main();
