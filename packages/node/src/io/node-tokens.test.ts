import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTokens } from '../core/ring.js';
import { evenlySpacedTokens } from '../core/tokens.js';
import { readTokens, resolveNodeTokens, tokensPath, writeTokens } from './node-tokens.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringkv-tokens-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const base = { nodeId: 'n1:7001', vnodes: 16, storeKeys: 0, hasSeeds: false };

describe('node tokens at start-up', () => {
  it('a new node with seeds has none yet (provisional); memory mode writes nothing', () => {
    expect(resolveNodeTokens({ ...base, dataDir: undefined, hasSeeds: true })).toEqual({
      tokens: [],
      provisional: true,
    });
    const dir = dataDir();
    expect(resolveNodeTokens({ ...base, dataDir: dir, hasSeeds: true }).tokens).toEqual([]);
    expect(readTokens(dir)).toBeUndefined();
  });

  it('a new node alone takes evenly spaced tokens, kept as provisional, and gets them back', () => {
    const dir = dataDir();
    const first = resolveNodeTokens({ ...base, dataDir: dir });
    expect(first).toEqual({ tokens: evenlySpacedTokens(base.nodeId, 16), provisional: true });
    expect(readTokens(dir)).toEqual({ node: base.nodeId, tokens: first.tokens, provisional: true });
    // Still provisional while the store is empty; final once it holds data.
    expect(resolveNodeTokens({ ...base, dataDir: dir, hasSeeds: true })).toEqual(first);
    expect(resolveNodeTokens({ ...base, dataDir: dir, storeKeys: 5 })).toEqual({
      tokens: first.tokens,
      provisional: false,
    });
  });

  it('final tokens written by the node come back on every start, whatever the flags', () => {
    const dir = dataDir();
    writeTokens(dir, { node: base.nodeId, tokens: [30, 10, 20], provisional: false });
    for (const hasSeeds of [false, true]) {
      expect(resolveNodeTokens({ ...base, dataDir: dir, hasSeeds })).toEqual({
        tokens: [10, 20, 30],
        provisional: false,
      });
    }
  });

  it('a data directory from before tokens were kept (keys, no file) keeps the id-derived tokens', () => {
    const dir = dataDir();
    const resolved = resolveNodeTokens({ ...base, dataDir: dir, storeKeys: 3, hasSeeds: true });
    expect(resolved).toEqual({ tokens: defaultTokens(base.nodeId, 16), provisional: false });
    expect(readTokens(dir)?.provisional).toBe(false);
  });

  it('refuses a damaged file with its path and the problem, instead of guessing new tokens', () => {
    const dir = dataDir();
    writeFileSync(tokensPath(dir), '{"node":"n1:7001","tokens":[');
    expect(() => resolveNodeTokens({ ...base, dataDir: dir })).toThrow(/tokens\.json is not valid JSON/);
    writeFileSync(tokensPath(dir), JSON.stringify({ node: 'n1:7001', tokens: [-1] }));
    expect(() => resolveNodeTokens({ ...base, dataDir: dir })).toThrow(/tokens\.0/);
    writeFileSync(tokensPath(dir), JSON.stringify({ node: 'n1:7001', tokens: [] }));
    expect(() => resolveNodeTokens({ ...base, dataDir: dir })).toThrow(/tokens/);
  });

  it('writes whole files only (no temp file left behind)', () => {
    const dir = dataDir();
    writeTokens(dir, { node: base.nodeId, tokens: [1], provisional: false });
    writeTokens(dir, { node: base.nodeId, tokens: [2], provisional: false });
    expect(JSON.parse(readFileSync(tokensPath(dir), 'utf8')).tokens).toEqual([2]);
    expect(readTokens(dir)?.tokens).toEqual([2]);
    expect(readdirSync(dir)).toEqual(['tokens.json']);
  });
});
