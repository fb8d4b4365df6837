/**
 * What a ringkv node keeps from the requests it serves: V8's sampling heap profiler (through the node's
 * inspector) runs only while an open-loop load runs, and reports the sampled allocations still alive at
 * the end, by allocation site. Two cells: in the first, samples of objects a major GC collected are kept
 * (what was promoted to the old generation, and grows it until a major GC); in the second only what is
 * still alive after a forced full GC (what the node really retains). Sizes are scaled by V8 to estimate all allocations, and divided here by the requests.
 * Usage: npx tsx bench/cluster/retained-heap.ts [--rate 8700] [--seconds 10] [--top 25]
 *        [--node-flag=... ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  type AllocationSite,
  heaviestStacks,
  retainedBySite,
  type SamplingHeapProfile,
} from '../lib/heap-sampling.js';
import { jsonValueText } from '../lib/keys.js';
import { stopAll } from '../lib/processes.js';
import { startRingkvNode } from '../lib/ringkv.js';
import { runWsLoad } from '../lib/ws-load.js';
import { preloadWs } from '../lib/ws-preload.js';

/** The inspector port: this helper's test range (25700-25899). */
const inspectorPort = 25_731;

class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: unknown };
      if (message.id === undefined) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) throw new Error(`inspector: ${JSON.stringify(message.error)}`);
      resolve?.(message.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl: string;
    }>;
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl, { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Inspector(socket);
  }

  call<T>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.pending.set(id, resolve as (result: unknown) => void));
  }

  close(): void {
    this.socket.close();
  }
}

function printSites(title: string, sites: AllocationSite[], requests: number, top: number): void {
  const total = sites.reduce((sum, site) => sum + site.bytes, 0);
  console.log(`\n${title}: ${(total / 1024).toFixed(0)} KB, ${(total / requests).toFixed(0)} B per request`);
  for (const site of sites.slice(0, top)) {
    console.log(
      `${(site.bytes / requests).toFixed(1).padStart(8)} B/req  ${site.functionName || '(anonymous)'}  ${site.where}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rate: { type: 'string', default: '8700' },
      seconds: { type: 'string', default: '10' },
      top: { type: 'string', default: '25' },
      stacks: { type: 'string', default: '0' },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-retained-'));
  try {
    const flags = [`--inspect=127.0.0.1:${inspectorPort}`, ...values['node-flag']];
    const node = await startRingkvNode({ logDirectory: directory, nodeFlags: flags });
    const urls = [`ws://${node.address}/ws`];
    const preload = { urls, count: 100_000, valueJson: jsonValueText, batchSize: 500, connections: 8 };
    await preloadWs({ ...preload, timeoutMs: 120_000 });
    const shape = { kind: 'rate' as const, opsPerSecond: rate, inflightPerConnectionMax: 256 };
    const load = {
      urls,
      connections: 50,
      shape,
      keyspace: 100_000,
      readFraction: 0.9,
      valueJson: jsonValueText,
    };
    await runWsLoad({ ...load, durationMs: 2_000, warmupMs: 0, seed: 3 });
    const inspector = await Inspector.connect(inspectorPort);
    await inspector.call('HeapProfiler.enable');
    // Samples of objects a major GC collects stay in the profile: what was promoted and then died counts.
    await inspector.call('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
    });
    const result = await runWsLoad({ ...load, durationMs: seconds * 1000, warmupMs: 0, seed: 7 });
    const requests = result.latency.count;
    await inspector.call('HeapProfiler.collectGarbage');
    const promoted = await inspector.call<{ profile: SamplingHeapProfile }>('HeapProfiler.stopSampling');
    await inspector.call('HeapProfiler.startSampling', { samplingInterval: 1024 });
    await runWsLoad({ ...load, durationMs: seconds * 1000, warmupMs: 0, seed: 9 });
    await inspector.call('HeapProfiler.collectGarbage');
    const retained = await inspector.call<{ profile: SamplingHeapProfile }>('HeapProfiler.stopSampling');
    inspector.close();
    const top = Number(values.top);
    console.log(`${requests} requests at ${rate}/s, p99 ${result.latency.p99Ms.toFixed(2)} ms`);
    printSites(
      'promoted (alive, or collected by a major GC)',
      retainedBySite(promoted.profile),
      requests,
      top,
    );
    for (const { stack, bytes } of heaviestStacks(promoted.profile, Number(values.stacks))) {
      console.log(
        `\n${(bytes / requests).toFixed(1)} B/req promoted from:\n  ${stack.slice(-12).join('\n  ')}`,
      );
    }
    printSites('alive after a full GC (a second cell)', retainedBySite(retained.profile), requests, top);
  } finally {
    await stopAll();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
