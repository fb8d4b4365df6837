import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PeersKeeper, peersPath, readPeers } from './node-peers.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringkv-peers-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('kept peers', () => {
  it('keeps the other members, sorted, and rewrites only when the set changes', () => {
    const dir = dataDir();
    const keeper = new PeersKeeper(dir, '127.0.0.1:7001');
    expect(readPeers(dir)).toEqual([]);
    keeper.update(['127.0.0.1:7003', '127.0.0.1:7001', '127.0.0.1:7002']);
    expect(readPeers(dir)).toEqual(['127.0.0.1:7002', '127.0.0.1:7003']);
    const written = statSync(peersPath(dir)).mtimeMs;
    writeFileSync(join(dir, 'marker'), '');
    keeper.update(['127.0.0.1:7002', '127.0.0.1:7003']);
    expect(statSync(peersPath(dir)).mtimeMs).toBe(written);
    keeper.update([]);
    expect(JSON.parse(readFileSync(peersPath(dir), 'utf8'))).toEqual({ peers: [] });
  });

  it('a missing or damaged file means no extra seeds, and a damaged one is reported', () => {
    const dir = dataDir();
    const warnings: string[] = [];
    expect(readPeers(dir, (message) => warnings.push(message))).toEqual([]);
    expect(warnings).toEqual([]);
    writeFileSync(peersPath(dir), '{"peers": ["not an address"]}');
    expect(readPeers(dir, (message) => warnings.push(message))).toEqual([]);
    writeFileSync(peersPath(dir), '{"peers": [');
    expect(readPeers(dir, (message) => warnings.push(message))).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/peers\.json ignored/);
  });
});
