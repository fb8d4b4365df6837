/**
 * A record the LmdbStore acknowledged survives `kill -9` of its process (SPEC section 5). A real child
 * process writes and prints each key once its put resolved; we SIGKILL it mid-stream, reopen the store
 * here and look for every acknowledged record.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { scanAll } from '../src/store/store-contract-fixtures.test-helper.js';
import { crashRecord } from './fixtures/store-writer.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const writerScript = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const acksBeforeKill = 5_000;
// Generous: on a busy 2-core machine the child needs seconds just to start. Not a speed assertion.
const waitMsMax = 60_000;

/** Resolves with the keys acknowledged before the kill, and how the child ended. */
function runAndKill(
  child: ChildProcess,
): Promise<{ acked: string[]; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const acked: string[] = [];
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
      acked.push(...lines);
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

  it('keeps every record it acknowledged before the process was killed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringkv-crash-'));
    dirs.push(dir);
    child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { acked, signal, stderr } = await runAndKill(child);
    expect(signal, `the writer ended on its own; its stderr: ${stderr}`).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(acksBeforeKill);

    const store = await LmdbStore.open(dir);
    try {
      const missing: string[] = [];
      for (const key of acked) {
        const index = Number(key.slice('crash-'.length));
        const expected = crashRecord(index);
        expect(expected.key).toBe(key);
        const found = store.get(key);
        if (found === undefined || found.valueJson !== expected.record.valueJson) missing.push(key);
      }
      expect(missing).toEqual([]);
      // The counts were left unclean by the kill, so the store recounted them at open: they match a scan.
      const all = scanAll(store, { startExclusive: 0, endInclusive: 0, includeTombstones: true }, 1000);
      expect(all.length).toBeGreaterThanOrEqual(acked.length);
      expect(store.counts()).toMatchObject({ keys: all.length, tombstones: 0 });
    } finally {
      await store.close();
    }
  }, 90_000);
});
