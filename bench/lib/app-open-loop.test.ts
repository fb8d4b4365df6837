import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppOpenLoopProcess } from './app-open-loop-process.js';
import { jsonValueText } from './keys.js';
import { allocatePort } from './ports.js';
import { type RingkvNode, startRingkvNode, stopRingkv, webSocketUrls } from './ringkv.js';
import { preloadWs } from './ws-preload.js';

const keyspace = 1_000;
const opsPerSecond = 300;
const durationMs = 1_500;
const options = {
  workers: 0,
  durationMs,
  warmupMs: 500,
  keyspace,
  readFraction: 0.9,
  value: 'v'.repeat(98),
  seed: 3,
  opsPerSecond,
  inflightMax: 1_000,
};

describe('AppOpenLoopProcess', () => {
  const logDirectory = mkdtempSync(path.join(os.tmpdir(), 'ringkv-app-open-loop-'));
  let node: RingkvNode | undefined;

  beforeAll(async () => {
    node = await startRingkvNode({ logDirectory });
    // Every read of the load then finds its key: a NOT_FOUND would count as an error.
    const urls = webSocketUrls([node]);
    const preload = { urls, count: keyspace, valueJson: jsonValueText, batchSize: 500, connections: 2 };
    const loaded = await preloadWs({ ...preload, timeoutMs: 30_000 });
    expect(loaded.failures).toBe(0);
  });

  afterAll(async () => {
    if (node) await stopRingkv([node]);
    rmSync(logDirectory, { recursive: true, force: true });
  });

  it('runs RingClient at a fixed rate in a child process against a real node and hands the result back', async () => {
    const generator = await AppOpenLoopProcess.start(
      { kind: 'ringkv', urls: webSocketUrls([node!]) },
      options,
    );
    expect(generator.pid).not.toBe(process.pid);
    const { result, cpuPercent } = await generator.run();
    expect(result.errors, result.errorSample).toBe(0);
    expect(result.skipped).toBe(0);
    // Calls completed in the window: rate x window, give or take the window's edges and timer jitter.
    const expected = (opsPerSecond * durationMs) / 1000;
    expect(result.latency.count).toBeGreaterThan(expected * 0.8);
    expect(result.latency.count).toBeLessThan(expected * 1.2);
    expect(result.opsPerSecond).toBeGreaterThan(opsPerSecond * 0.8);
    expect(result.generator?.sendLagMaxMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyFromSend?.count).toBe(result.latency.count);
    // The child's CPU, read from /proc before it exits: it did the calls, so it used some.
    expect(cpuPercent).toBeGreaterThan(0);
  });

  it('rejects start with the connect error when nothing listens at the URL, naming the URL', async () => {
    const closedPort = await allocatePort();
    const client = { kind: 'ringkv' as const, urls: [`ws://127.0.0.1:${closedPort}/ws`] };
    await expect(AppOpenLoopProcess.start(client, options, { startTimeoutMs: 30_000 })).rejects.toThrow(
      new RegExp(`app open loop: could not start the client: .*127\\.0\\.0\\.1:${closedPort}`),
    );
  });

  it('rejects start when the child is not ready within the start timeout', async () => {
    // 1 ms is too short for any child to load tsx and connect: the bound, not the node, decides.
    const client = { kind: 'ringkv' as const, urls: webSocketUrls([node!]) };
    await expect(AppOpenLoopProcess.start(client, options, { startTimeoutMs: 1 })).rejects.toThrow(
      /no 'ready' from the child within 1 ms/,
    );
  });
});
