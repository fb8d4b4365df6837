/**
 * `pnpm start` runs `ringkv cluster --nodes 3 --data ./data`. These tests run that command on test ports
 * with a temporary data directory: wait for the banner, check /health on every node, write keys, stop it
 * all with SIGINT (exit 0), start it again and read every key back; and ask the launcher for a fourth node
 * (`ringkv cluster add`), which the next start brings back.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '@ringkv/client';
import { afterAll, describe, expect, it } from 'vitest';
import { portIsFree, spawnRingkv } from './helpers/node-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ringkv-start-'));
const launchers: Launched[] = [];

interface Launched {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
  nodePids(): number[];
}

/** A base port with the 4 node ports after it and the control port free (the range is this suite's). */
async function freeBase(): Promise<{ basePort: number; controlPort: number }> {
  for (let basePort = 22300; basePort < 22390; basePort += 10) {
    const ports = [basePort, basePort + 1, basePort + 2, basePort + 3, basePort + 9];
    const free = await Promise.all(ports.map((port) => portIsFree(port)));
    if (free.every(Boolean)) return { basePort, controlPort: basePort + 9 };
  }
  throw new Error('no free ports in 22300-22399');
}

function launch(args: string[]): Launched {
  const child = spawnRingkv(['cluster', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const launched: Launched = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    nodePids: () => [...stdout.matchAll(/pid (\d+)/g)].map((match) => Number(match[1])),
  };
  launchers.push(launched);
  return launched;
}

async function waitFor(condition: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForBanner(launched: Launched): Promise<string[]> {
  let exited = false;
  launched.exit.then(() => {
    exited = true;
  });
  await waitFor(
    () => launched.stdout().includes('Ctrl-C stops the cluster.') || exited,
    () => `${launched.stdout()}\n${launched.stderr()}`,
    240_000,
  );
  expect(exited, launched.stderr()).toBe(false);
  return [...launched.stdout().matchAll(/^ {2}(http:\/\/127\.0\.0\.1:\d+) +pid/gm)].map((match) => match[1]!);
}

afterAll(async () => {
  for (const launched of launchers) {
    if (launched.child.exitCode === null && launched.child.signalCode === null) {
      launched.child.kill('SIGINT');
      await Promise.race([launched.exit, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    }
    // The nodes run in their own process group; never leave one behind.
    for (const pid of launched.nodePids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function runAndStop(launched: Launched): Promise<void> {
  launched.child.kill('SIGINT');
  expect(await launched.exit, launched.stderr()).toBe(0);
  expect(launched.stdout()).toContain('ringkv cluster: stopped');
}

async function expectDown(urls: string[]): Promise<void> {
  for (const url of urls) {
    await expect(new HttpClient(url, { requestTimeoutMs: 2000 }).health()).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  }
}

describe('pnpm start (ringkv cluster)', { timeout: 600_000 }, () => {
  it('starts 3 healthy nodes, stops on SIGINT with status 0, and finds the data after a restart', async () => {
    const { basePort, controlPort } = await freeBase();
    const dir = join(dataDir, 'start');
    const args = [
      '--nodes',
      '3',
      '--base-port',
      String(basePort),
      '--data',
      dir,
      '--control-port',
      String(controlPort),
    ];
    const first = launch(args);
    const urls = await waitForBanner(first);
    expect(urls).toEqual([0, 1, 2].map((offset) => `http://127.0.0.1:${basePort + offset}`));
    expect(first.stdout()).toContain(`dashboard   http://127.0.0.1:${basePort}/`);
    for (const url of urls) {
      await expect(new HttpClient(url).health()).resolves.toEqual({ status: 'ok', node: url.slice(7) });
    }
    const client = new HttpClient(urls, { consistency: 'all' });
    const keys = Array.from({ length: 20 }, (_, index) => `start:${index}`);
    for (const key of keys) await client.create(key, { key });

    await runAndStop(first);
    await expectDown(urls);

    const second = launch(args);
    expect(await waitForBanner(second)).toEqual(urls);
    const reader = new HttpClient(urls);
    for (const key of keys) await expect(reader.read(key)).resolves.toMatchObject({ key, value: { key } });
    await runAndStop(second);
  });

  it('ringkv cluster add starts and admits a fourth node, which the next start brings back', async () => {
    const { basePort, controlPort } = await freeBase();
    const dir = join(dataDir, 'add');
    const args = [
      '--nodes',
      '3',
      '--base-port',
      String(basePort),
      '--data',
      dir,
      '--control-port',
      String(controlPort),
    ];
    const first = launch(args);
    const urls = await waitForBanner(first);
    await new HttpClient(urls).create('add:1', 'before');

    const added = spawnRingkv(['cluster', 'add', '--control-port', String(controlPort)]);
    let addOutput = '';
    added.stdout!.on('data', (chunk: Buffer) => {
      addOutput += chunk.toString();
    });
    const addCode = await new Promise((resolve) => added.once('exit', resolve));
    expect(addCode, `${addOutput} ${first.stderr()}`).toBe(0);
    const fourth = `127.0.0.1:${basePort + 3}`;
    expect(JSON.parse(addOutput)).toMatchObject({
      node: fourth,
      result: { nodes: expect.arrayContaining([fourth]) },
    });
    await expect(new HttpClient(`http://${fourth}`).health()).resolves.toMatchObject({ status: 'ok' });

    await runAndStop(first);
    await expectDown([...urls, `http://${fourth}`]);

    const second = launch(args);
    expect(await waitForBanner(second)).toEqual([...urls, `http://${fourth}`]);
    await expect(new HttpClient(urls).read('add:1')).resolves.toMatchObject({ value: 'before' });
    await runAndStop(second);
  });
});
