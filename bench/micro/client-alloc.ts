/**
 * Bytes the JavaScript heap allocates per RingClient call, and where: V8's sampling heap profiler with the
 * objects later collected kept in (so it counts garbage, not only what stays alive), while this process
 * runs the app-level closed loop of bench:cluster (`runAppLoad`: W workers, 90% reads / 10% updates of
 * 100,000 preloaded keys, 100-byte values). Every byte allocated brings the next scavenge closer, and
 * a scavenge stops the client with every call in flight waiting: at half-peak rates the client's
 * scavenges, not its CPU, made the app-level p99 (docs/PERFORMANCE.md, session 19).
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/client-alloc.ts [--rf 1|3] [--workers 50] [--seconds 4]
 * --rf 1 runs one node; --rf 3 three nodes with quorums of 2 (client-side quorum reads). The figure
 * includes the load loop's own allocation (the key's text in keys.ts, the worker's promise in
 * app-load.ts), which every client in bench:cluster pays too: those sites are listed apart. Figures are
 * sampled (one sample per `--interval` bytes on average), so they carry a few percent of noise.
 */
import { mkdtempSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRingClientAdapter } from '../cluster/ringkv-adapter.js';
import { type AppLoadOptions, type KvAdapter, runAppLoad } from '../lib/app-load.js';
import { valueBytes } from '../lib/keys.js';
import { stopAll } from '../lib/processes.js';
import { startRingkvCluster, stopRingkv, webSocketUrls } from '../lib/ringkv.js';
import { preloadBenchKeys } from '../lib/ws-preload.js';

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    rf: { type: 'string', default: '1' },
    workers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '4' },
    interval: { type: 'string', default: '4096' },
    sites: { type: 'string', default: '15' },
  },
});
const replicationFactor = Number(values.rf);
const workers = Number(values.workers);
const seconds = Number(values.seconds);
const interval = Number(values.interval);
if (replicationFactor !== 1 && replicationFactor !== 3) throw new Error('--rf must be 1 or 3');
if (!(Number.isInteger(workers) && workers >= 1 && workers <= 5_000)) throw new Error('--workers: 1-5000');
if (!(seconds >= 1 && seconds <= 30)) throw new Error('--seconds must be 1-30');
if (!(Number.isInteger(interval) && interval >= 256)) throw new Error('--interval must be >= 256 bytes');
const keyspace = 100_000;

/** Sampled bytes by allocating function (name and file), and their sum. */
function bytesBySite(head: ProfileNode): { total: number; sites: Map<string, number> } {
  const sites = new Map<string, number>();
  let total = 0;
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    const file = node.callFrame.url.split('/').slice(-2).join('/') || 'native';
    const site = `${node.callFrame.functionName || '(anonymous)'} ${file}`;
    sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  return { total, sites };
}

/** Runs the closed loop over `adapter` with the sampling profiler on; prints bytes per call. */
async function measure(name: string, adapter: KvAdapter, session: Session): Promise<void> {
  const load: AppLoadOptions = {
    workers,
    durationMs: seconds * 1000,
    warmupMs: 0,
    keyspace,
    readFraction: 0.9,
    value: 'v'.repeat(valueBytes - 2),
    seed: 7,
  };
  await runAppLoad(adapter, { ...load, durationMs: 1000, seed: 1 }); // warm the code up first
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === 1) scavenges++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  // The two include flags are newer than @types/node's parameter type (V8 has them since 10.x).
  const sampling = {
    samplingInterval: interval,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  await session.post('HeapProfiler.startSampling', sampling);
  const result = await runAppLoad(adapter, load);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  observer.disconnect();
  if (result.errors > 0) throw new Error(`${name}: ${result.errors} errors (${result.errorSample})`);
  const calls = result.opsPerSecond * seconds;
  const { total, sites } = bytesBySite(profile.head);
  console.log(
    `${name}: ${Math.round(total / calls)} bytes per call (${Math.round(calls)} calls, ${Math.round(result.opsPerSecond)} calls/s), ${((scavenges / calls) * 10_000).toFixed(1)} scavenges per 10,000 calls`,
  );
  const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, Number(values.sites));
  for (const [site, bytes] of top)
    console.log(`  ${String(Math.round(bytes / calls)).padStart(6)} B  ${site}`);
}

const session = new Session();
session.connect();
const logDirectory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-client-alloc-'));
const quorum = replicationFactor === 3 ? 2 : 1;
const nodes = await startRingkvCluster(replicationFactor, {
  logDirectory,
  replicationFactor,
  readQuorum: quorum,
  writeQuorum: quorum,
});
try {
  const urls = webSocketUrls(nodes);
  await preloadBenchKeys(urls, keyspace);
  const adapter = await createRingClientAdapter(urls);
  const shape = `${nodes.length} node${nodes.length > 1 ? 's' : ''} rf ${replicationFactor}`;
  await measure(`RingClient, ${shape}, ${workers} workers`, adapter, session);
  await adapter.close();
} finally {
  session.disconnect();
  await stopRingkv(nodes);
  await stopAll();
}
