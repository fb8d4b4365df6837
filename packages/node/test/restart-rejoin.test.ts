/**
 * A member restarted WITHOUT --join finds its cluster again from `DATA/peers.json` (io/node-peers.ts),
 * and never answers as a ring of one meanwhile. Three real processes, replication factor 1 (so most keys
 * live on one other node only); node B is stopped and started again with no --join; from its first
 * answer on, every read through B returns the value or UNAVAILABLE ("still joining"), never
 * KEY_NOT_FOUND, and soon every read succeeds. A node removed with remove_node forgets its peers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeProcess, pickFreePort, startNodeProcess } from './helpers/node-process.js';

const portRange: [number, number] = [22700, 22799];
const secret = 'restart-rejoin-secret';
const dataDirs: string[] = [];
const nodes: NodeProcess[] = [];
const keyCount = 60;
const rf1 = ['--replication-factor', '1', '--read-quorum', '1', '--write-quorum', '1'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(index: number, port: number, seeds: string[]): Promise<NodeProcess> {
  const args = ['--vnodes', '16', '--cluster-secret', secret, '--log-level', 'warn', ...rf1];
  if (seeds.length > 0) args.push('--join', seeds.join(','));
  const node = await startNodeProcess({ port, dataDir: dataDirs[index]!, args });
  nodes[index] = node;
  return node;
}

async function statuses(node: NodeProcess): Promise<Record<string, string>> {
  const response = await fetch(`${node.url}/nodes`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { nodes: Array<{ id: string; status: string }> };
  return Object.fromEntries(body.nodes.map((entry) => [entry.id, entry.status]));
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** One read through `node`: 'ok' with the right value, else the error code (or the HTTP status). */
async function readThrough(node: NodeProcess, key: string): Promise<string> {
  const response = await fetch(`${node.url}/read/${encodeURIComponent(key)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { value?: unknown; error?: { code: string } };
  if (response.ok)
    return body.value === `value of ${key}` ? 'ok' : `wrong value ${JSON.stringify(body.value)}`;
  return body.error?.code ?? `HTTP ${response.status}`;
}

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('restart without --join (real processes)', () => {
  it('finds its cluster from peers.json and never answers as a ring of one', async () => {
    for (let i = 0; i < 3; i++) dataDirs.push(mkdtempSync(join(tmpdir(), 'ringkv-rejoin-')));
    const ports: number[] = [];
    for (let index = 0; index < 3; index++) {
      ports[index] = await pickFreePort(portRange);
      const node = await start(index, ports[index]!, index === 0 ? [] : [`127.0.0.1:${ports[0]}`]);
      await until(`${node.id} alive`, async () => (await statuses(nodes[0]!))[node.id] === 'alive', 30_000);
    }
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const keys = Array.from({ length: keyCount }, (_, i) => `rejoin:${i}`);
    for (const key of keys) {
      const response = await fetch(`${a.url}/create/${encodeURIComponent(key)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: `value of ${key}` }),
      });
      expect(response.status, key).toBe(201);
    }
    const kept = JSON.parse(readFileSync(join(dataDirs[1]!, 'peers.json'), 'utf8')) as { peers: string[] };
    expect(kept.peers).toEqual([a.id, c.id].sort());

    await b.stop();
    const restarted = await start(1, ports[1]!, []);
    const seen = new Map<string, number>();
    const deadline = Date.now() + 30_000;
    let allOk = false;
    while (!allOk && Date.now() < deadline) {
      const outcomes = await Promise.all(keys.map((key) => readThrough(restarted, key)));
      for (const outcome of outcomes) seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      allOk = outcomes.every((outcome) => outcome === 'ok');
      if (!allOk) await sleep(100);
    }
    console.log(`reads through the restarted node until all succeeded: ${JSON.stringify([...seen])}`);
    expect(allOk, JSON.stringify([...seen])).toBe(true);
    expect([...seen.keys()].filter((outcome) => outcome !== 'ok' && outcome !== 'UNAVAILABLE')).toEqual([]);
    expect(await statuses(restarted)).toEqual({ [a.id]: 'alive', [restarted.id]: 'alive', [c.id]: 'alive' });
  }, 180_000);
});
