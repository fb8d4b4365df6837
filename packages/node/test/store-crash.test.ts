/**
 * A record the LmdbStore acknowledged survives `kill -9` of its process (SPEC section 5). A real child
 * process writes and prints each key and version once its put resolved; we SIGKILL it mid-stream, reopen
 * the store here and look for every acknowledged write (or a newer one to the same key).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { scanAll } from '../src/store/store-contract-fixtures.test-helper.js';
import { type CrashWorkload, crashRecord } from './fixtures/store-writer.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const writerScript = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const acksBeforeKill = 5_000;
// Generous: on a busy 2-core machine the child needs seconds just to start. Not a speed assertion.
const waitMsMax = 60_000;

interface Ack {
  key: string;
  version: number;
}

/** Resolves with the writes acknowledged before the kill, and how the child ended. */
function runAndKill(child: ChildProcess): Promise<{ acked: Ack[]; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const acked: Ack[] = [];
    let partial = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), waitMsMax);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      // A line cut short by the kill was never acknowledged in full: keep only complete lines.
      partial = lines.pop()!;
      for (const line of lines) {
        const [key, version] = line.split(' ');
        acked.push({ key: key!, version: Number(version) });
      }
      if (acked.length >= acksBeforeKill) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve({ acked, signal, stderr });
    });
  });
}

describe('LmdbStore under kill -9', () => {
  const dirs: string[] = [];
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function killWhileWriting(workload: CrashWorkload): Promise<{ dir: string; acked: Ack[] }> {
    const dir = await mkdtemp(join(tmpdir(), 'ringkv-crash-'));
    dirs.push(dir);
    child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, workload], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { acked, signal, stderr } = await runAndKill(child);
    expect(signal, `the writer ended on its own; its stderr: ${stderr}`).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(acksBeforeKill);
    return { dir, acked };
  }

  /** Keys whose newest acknowledged write is missing: neither it nor a newer write is stored. */
  function lostWrites(store: LmdbStore, workload: CrashWorkload, acked: Ack[]): string[] {
    const newestAcked = new Map<string, number>();
    for (const { key, version } of acked) newestAcked.set(key, Math.max(version, newestAcked.get(key) ?? 0));
    const lost: string[] = [];
    for (const [key, version] of newestAcked) {
      const found = store.get(key);
      const expected = crashRecord(workload, version - 1);
      expect(expected.key).toBe(key);
      if (found === undefined || found.version < version) lost.push(`${key}@${version}`);
      else if (found.version === version && found.valueJson !== expected.record.valueJson) lost.push(key);
    }
    return lost;
  }

  it('keeps every record it acknowledged before the process was killed', async () => {
    const { dir, acked } = await killWhileWriting('fresh');
    const store = await LmdbStore.open(dir);
    try {
      expect(lostWrites(store, 'fresh', acked)).toEqual([]);
      // The counts were left unclean by the kill, so the store recounted them at open: they match a scan.
      const all = scanAll(store, { startExclusive: 0, endInclusive: 0, includeTombstones: true }, 1000);
      expect(all.length).toBeGreaterThanOrEqual(acked.length);
      expect(store.counts()).toMatchObject({ keys: all.length, tombstones: 0 });
    } finally {
      await store.close();
    }
  }, 90_000);

  it('keeps the newest acknowledged write of each key when overwrites and deletes were in flight', async () => {
    const { dir, acked } = await killWhileWriting('overwrite');
    const store = await LmdbStore.open(dir);
    try {
      expect(lostWrites(store, 'overwrite', acked)).toEqual([]);
      const all = scanAll(store, { startExclusive: 0, endInclusive: 0, includeTombstones: true }, 1000);
      const tombstones = all.filter((record) => record.valueJson === null).length;
      expect(store.counts()).toMatchObject({ keys: all.length - tombstones, tombstones });
    } finally {
      await store.close();
    }
  }, 90_000);
});
