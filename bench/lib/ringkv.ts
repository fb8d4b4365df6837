/**
 * Starts ringkv nodes as real processes (`ringkv node ...` run from source through tsx, without the bin
 * wrapper, so the tracked pid is the server itself and `--cpu-prof` lands on it) and waits until they
 * serve and, for a cluster, until every node sees every member alive.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocatePort } from './ports.js';
import { startProcess, stopProcess, type Tracked, waitUntil } from './processes.js';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = path.join(repositoryRoot, 'packages/node/src/cli.ts');
/**
 * The V8 flags every node is launched with: the list of packages/node/src/launcher/node-flags.ts (the
 * reasons are there), restated rather than imported so that `ab-snapshot.sh`, which runs this bench/ against
 * older commits, still works on commits from before that file existed (both sides then get the same flags).
 */
export const nodeV8Flags: readonly string[] = [
  '--max-semi-space-size=8',
  '--no-allocation-site-pretenuring',
  '--no-memory-reducer',
];
const nodeStartTimeoutMs = 30_000;
const clusterFormTimeoutMs = 60_000;

export interface RingkvNode {
  port: number;
  address: string;
  process: Tracked;
}

export interface RingkvNodeOptions {
  logDirectory: string;
  /** `--memory` (default) or `--data DIR`. */
  dataDirectory?: string;
  replicationFactor?: number;
  readQuorum?: number;
  writeQuorum?: number;
  join?: string;
  /**
   * Extra flags for node itself, e.g. `--cpu-prof --cpu-prof-dir=...`; they come after the V8 flags every
   * node is launched with (`nodeV8Flags`), so `--max-semi-space-size=16` here overrides the default.
   */
  nodeFlags?: string[];
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

export async function startRingkvNode(options: RingkvNodeOptions): Promise<RingkvNode> {
  const port = await allocatePort();
  const address = `127.0.0.1:${port}`;
  const args = [
    ...nodeV8Flags,
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    cliPath,
    'node',
    '--port',
    String(port),
  ]
    .concat(['--host', '127.0.0.1'])
    .concat(options.dataDirectory ? ['--data', options.dataDirectory] : ['--memory']);
  if (options.replicationFactor !== undefined)
    args.push('--replication-factor', String(options.replicationFactor));
  if (options.readQuorum !== undefined) args.push('--read-quorum', String(options.readQuorum));
  if (options.writeQuorum !== undefined) args.push('--write-quorum', String(options.writeQuorum));
  if (options.join) args.push('--join', options.join);
  const child = startProcess(`ringkv-${port}`, process.execPath, args, {
    cwd: repositoryRoot,
    logFile: path.join(options.logDirectory, `ringkv-${port}.log`),
    env: { ...process.env, RINGKV_LOG_LEVEL: process.env.RINGKV_LOG_LEVEL ?? 'warn' },
  });
  const exitedEarly = child.exited.then((code) => {
    throw new Error(
      `ringkv node ${address} exited with ${code} before serving (log: ${options.logDirectory})`,
    );
  });
  const healthy = waitUntil(
    `ringkv ${address} /health`,
    async () => ((await getJson(`http://${address}/health`)) as { status?: string }).status === 'ok',
    nodeStartTimeoutMs,
    200,
  );
  try {
    await Promise.race([healthy, exitedEarly]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  exitedEarly.catch(() => {});
  return { port, address, process: child };
}

async function allAlive(node: RingkvNode, count: number): Promise<boolean> {
  const body = (await getJson(`http://${node.address}/nodes`)) as { nodes?: Array<{ status?: string }> };
  const nodes = body.nodes ?? [];
  return nodes.length === count && nodes.every((entry) => entry.status === 'alive');
}

/** Every node reports the same ring checksum, and the ring holds tokens of all `count` nodes. */
async function ringSettled(nodes: readonly RingkvNode[], count: number): Promise<boolean> {
  const rings = (await Promise.all(nodes.map((node) => getJson(`http://${node.address}/ring`)))) as Array<{
    checksum?: string;
    tokens?: Array<{ node: string }>;
  }>;
  const owners = new Set(rings[0]?.tokens?.map((token) => token.node) ?? []);
  return owners.size === count && rings.every((ring) => ring.checksum === rings[0]?.checksum);
}

/**
 * Starts `count` nodes, each joining the first, and waits until all see all members alive and agree on
 * a ring that includes everyone, so no measurement runs while data is still moving to a joiner.
 */
export async function startRingkvCluster(count: number, options: RingkvNodeOptions): Promise<RingkvNode[]> {
  const first = await startRingkvNode(options);
  const nodes = [first];
  for (let index = 1; index < count; index++) {
    nodes.push(await startRingkvNode({ ...options, join: first.address }));
  }
  await waitUntil(
    `${count} ringkv nodes alive on one ring`,
    async () =>
      (await Promise.all(nodes.map((node) => allAlive(node, count)))).every(Boolean) &&
      (await ringSettled(nodes, count)),
    clusterFormTimeoutMs,
    250,
  );
  return nodes;
}

export async function stopRingkv(nodes: readonly RingkvNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => stopProcess(node.process)));
}

export function webSocketUrls(nodes: readonly { address: string }[]): string[] {
  return nodes.map((node) => `ws://${node.address}/ws`);
}
