/**
 * Where a node's ring tokens come from at start-up, and where they are kept: `DIR/tokens.json` beside the
 * store. A node's tokens are part of its identity: a restart must claim the very ranges (and data) it had,
 * so once chosen they are written down (atomically: temp file, fsync, rename) and read back on every start.
 *
 *   tokens.json present              -> those tokens; still provisional only if the file says so and the
 *                                       store is empty.
 *   absent, store holds keys         -> defaultTokens(id): what every node used before tokens were kept
 *                                       (so an older data directory keeps its ranges); written down, final.
 *   absent, store empty (or memory)  -> provisional: with --join, none until the cluster answers (then
 *                                       allocateTokens against its ring); alone, evenly spaced tokens
 *                                       (written down as provisional) that an add_node may still replace
 *                                       while the store is empty. The node reports when they become final
 *                                       (ClusterNode `onTokensFinal`), and the file is rewritten then.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '@ringkv/protocol';
import { z } from 'zod';
import { defaultTokens, tokenSpace } from '../core/ring.js';
import { evenlySpacedTokens } from '../core/tokens.js';

const TokensFile = z.object({
  node: z.string(),
  provisional: z.boolean().default(false),
  tokens: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(tokenSpace - 1),
    )
    .min(1)
    .max(limits.vnodesMax),
});

export interface NodeTokens {
  tokens: number[];
  provisional: boolean;
}

export interface TokenSource {
  nodeId: string;
  vnodes: number;
  /** Undefined in memory mode: nothing is kept, every start is a new node. */
  dataDir: string | undefined;
  storeKeys: number;
  hasSeeds: boolean;
}

export function tokensPath(dataDir: string): string {
  return join(dataDir, 'tokens.json');
}

/** Decides this start's tokens (see the table above); throws a clear error for an unreadable file. */
export function resolveNodeTokens(source: TokenSource): NodeTokens {
  const { dataDir, nodeId } = source;
  const kept = dataDir === undefined ? undefined : readTokens(dataDir);
  if (kept) return { tokens: kept.tokens, provisional: kept.provisional && source.storeKeys === 0 };
  if (source.storeKeys > 0) {
    const tokens = defaultTokens(nodeId, source.vnodes);
    if (dataDir !== undefined) writeTokens(dataDir, { node: nodeId, tokens, provisional: false });
    return { tokens, provisional: false };
  }
  if (source.hasSeeds) return { tokens: [], provisional: true };
  const tokens = evenlySpacedTokens(nodeId, source.vnodes);
  if (dataDir !== undefined) writeTokens(dataDir, { node: nodeId, tokens, provisional: true });
  return { tokens, provisional: true };
}

export type KeptTokens = z.infer<typeof TokensFile>;

/** The kept tokens, or undefined when there is no file. */
export function readTokens(dataDir: string): KeptTokens | undefined {
  const path = tokensPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${path} is not valid JSON (${(error as Error).message}); restore it or remove the data directory`,
    );
  }
  const result = TokensFile.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return { ...result.data, tokens: [...result.data.tokens].sort((a, b) => a - b) };
}

/** Writes the tokens so that a crash leaves either the old file or the new one, never half of one. */
export function writeTokens(dataDir: string, kept: KeptTokens): void {
  const path = tokensPath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  mkdirSync(dataDir, { recursive: true });
  const descriptor = openSync(temporary, 'w');
  try {
    writeSync(descriptor, `${JSON.stringify(kept)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path);
}
