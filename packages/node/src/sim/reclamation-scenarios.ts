/**
 * 'reclamation': storage reclamation in a simulated cluster (core/sweeper.ts, issue 4 item 4).
 * A cluster (rf 3, anti-entropy, hints and read repair on) creates keys; one replica crashes, the rest
 * split in two, and half the keys are deleted (consistency one, so deletes reach only some replicas); time
 * runs past the grace period while the crashed node is down and the network split, then everything heals
 * and the crashed node returns with the old values. Checked at every step: a deleted key whose value a
 * replica still holds is also deleted somewhere (no tombstone is dropped while a replica could resurrect
 * the value); then every tombstone must be collected from every node, and a read at consistency all finds
 * no deleted key, and no node holds a deleted key's old value for a key it does not replicate (such an
 * orphan is never read, and range cleanup cannot tell it from a last copy, but a later ring change could
 * make it a replica again: anti-entropy once pulled one with a ring still partial after a restart, seeds
 * 36407 and 36417 at 4 nodes, and now applies only keys the node replicates when each page arrives).
 * Finally a node joins: anti-entropy brings it its ranges, and the old owners must drop
 * the keys that moved away, while every replica of every key keeps it and reads at all still see it.
 */
import { RingKvError } from '@ringkv/protocol';
import type { DataOp } from '../core/coordinator.js';
import type { NodeId } from '../core/types.js';
import type { MemoryStore } from '../store/memory-store.js';
import { ringDivergence } from './checkers.js';
import { SimCluster } from './harness.js';
import { healedRates, perfectNetwork } from './network.js';
import { type ReplicationSimNode, replicationNodes, replicationSimDefaults } from './replication-node.js';
import { replicationNodeIds } from './replication-scenarios.js';
import { registerScenario, type ScenarioMetrics, type ScenarioRun } from './scenarios.js';

type Cluster = SimCluster<ReplicationSimNode>;

const scenarioName = 'reclamation';
const graceMs = 5_000;
const stepMs = 250;
const keyCount = 24;

export const reclamationSimConfig = {
  ...replicationSimDefaults,
  antiEntropy: { intervalMs: 1_000, rangesPerRound: 8, partsPerRoundMax: 64, requestTimeoutMs: 1_000 },
  // A quarter of the buckets' horizons each tick: a sim store holds a few dozen keys, so empty buckets
  // cost a look at their digest only.
  reclamation: { graceMs, confirmMs: 2_000, intervalMs: 500, recordsPerTick: 16, bucketsPerTick: 16_384 },
};

interface World {
  cluster: Cluster;
  /** Every node's store (durable across crashes), so a crashed node's old values are checked too. */
  stores: Map<NodeId, MemoryStore>;
  live: Map<string, string>;
  deleted: Set<string>;
}

async function waitFor(world: World, done: () => boolean, timeoutMs: number, what: string) {
  for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += stepMs) {
    checkNoResurrection(world);
    if (done()) return waitedMs;
    await world.cluster.runForAsync(stepMs);
  }
  return world.cluster.fail(`${what}: not done within ${timeoutMs} ms`);
}

/** Runs `ms` of virtual time, checking for resurrected keys at every step. */
async function runChecked(world: World, ms: number): Promise<void> {
  for (let waitedMs = 0; waitedMs < ms; waitedMs += stepMs) {
    checkNoResurrection(world);
    await world.cluster.runForAsync(stepMs);
  }
}

/**
 * A deleted key whose old value a replica holds (in the ring as a running node sees it) must still be
 * deleted on some node: otherwise reads could return it. A copy held by a node that does not replicate the
 * key is not read; `orphans` counts those (see the scenario's metrics).
 */
function checkNoResurrection(world: World): void {
  if (world.cluster.running().length === 0) return;
  const ring = ringOf(world);
  if (ring.size === 0) return;
  for (const key of world.deleted) {
    const replicas = ring.preferenceList(key, reclamationSimConfig.replicationFactor);
    let value: NodeId | undefined;
    let tombstone = false;
    for (const [id, store] of world.stores) {
      const record = store.get(key);
      if (record?.valueJson === null) tombstone = true;
      else if (record && replicas.includes(id)) value = id;
    }
    if (value && !tombstone) {
      world.cluster.fail(
        `deleted key ${key} came back: replica ${value} holds its value and no node its tombstone`,
      );
    }
  }
}

/** Deleted keys' values still held by nodes that do not replicate them (and so are never read). */
function orphans(world: World): number {
  const ring = ringOf(world);
  let count = 0;
  for (const key of world.deleted) {
    const replicas = ring.preferenceList(key, reclamationSimConfig.replicationFactor);
    for (const [id, store] of world.stores) {
      if (!replicas.includes(id) && typeof store.get(key)?.valueJson === 'string') count++;
    }
  }
  return count;
}

interface Op {
  op: DataOp;
  key: string;
  valueJson?: string;
  consistency: 'one' | 'quorum' | 'all';
}

/**
 * Runs operations at once, each from a random running node, and answers each one's outcome: its value
 * (reads; 'not found' for a missing key), 'ok', or undefined when it did not succeed (error or no answer).
 */
async function runOps(world: World, ops: readonly Op[]): Promise<Array<string | undefined>> {
  const { cluster } = world;
  const results = new Array<string | undefined>(ops.length);
  let open = ops.length;
  ops.forEach(({ op, key, valueJson, consistency }, i) => {
    const node = cluster.node(cluster.random.pick(cluster.running()));
    node.data.execute(op, key, valueJson, consistency).then(
      (record) => {
        results[i] = op === 'read' ? (record.valueJson ?? 'not found') : 'ok';
        open--;
      },
      (error: unknown) => {
        if (!(error instanceof RingKvError)) throw error;
        // KEY_NOT_FOUND answers a read; for a create or delete retried, an earlier attempt got through.
        if (error.code === 'KEY_NOT_FOUND') results[i] = op === 'read' ? 'not found' : 'ok';
        if (error.code === 'KEY_EXISTS' && op === 'create') results[i] = 'ok';
        open--;
      },
    );
  });
  for (let waitedMs = 0; waitedMs < 6_000 && open > 0; waitedMs += stepMs) {
    await runChecked(world, stepMs);
  }
  return results;
}

/** Runs writes until each succeeded, in rounds (bounded); answers the ones that never did. */
async function writeAll(world: World, ops: readonly Op[]): Promise<Set<string>> {
  let left = [...ops];
  for (let round = 0; round < 10 && left.length > 0; round++) {
    const results = await runOps(world, left);
    left = left.filter((_, i) => results[i] !== 'ok');
  }
  return new Set(left.map((op) => op.key));
}

async function checkReads(world: World, when: string): Promise<void> {
  const keys = [...world.deleted, ...world.live.keys()];
  const reads = await runOps(
    world,
    keys.map((key) => ({ op: 'read' as const, key, consistency: 'all' as const })),
  );
  keys.forEach((key, i) => {
    const expected = world.live.get(key) ?? 'not found';
    if (reads[i] !== undefined && reads[i] !== expected) {
      world.cluster.fail(`${when}: a read at all of ${key} gave ${reads[i]}, expected ${expected}`);
    }
  });
}

/** The largest ring a running node sees (a node just restarted may see part of it for a moment). */
function ringOf(world: World) {
  const rings = world.cluster.running().map((id) => world.cluster.node(id).membership.ring());
  return rings.reduce((largest, ring) => (ring.size > largest.size ? ring : largest));
}

/** Live keys not yet held (newest value) by every replica, or still held by a node that is not one. */
function placementGaps(world: World): string[] {
  const ring = ringOf(world);
  const gaps: string[] = [];
  for (const [key, valueJson] of world.live) {
    const replicas = ring.preferenceList(key, reclamationSimConfig.replicationFactor);
    for (const [id, store] of world.stores) {
      const held = store.get(key)?.valueJson;
      if (replicas.includes(id) ? held !== valueJson : held !== undefined) {
        gaps.push(`${key}@${id}:${replicas.includes(id) ? 'missing' : 'not cleaned'}`);
      }
    }
  }
  return gaps;
}

async function deletePhase(world: World): Promise<void> {
  const { cluster } = world;
  const ids = cluster.running();
  const crashed = cluster.random.pick(ids);
  cluster.crash(crashed);
  const rest = cluster.random.shuffle(ids.filter((id) => id !== crashed));
  if (rest.length >= 2)
    cluster.network.partition([rest.slice(0, cluster.random.between(1, rest.length - 1))]);
  const doomed = cluster.random.shuffle([...world.live.keys()]).slice(0, keyCount / 2);
  const failed = await writeAll(
    world,
    doomed.map((key) => ({ op: 'delete' as const, key, consistency: 'one' as const })),
  );
  for (const key of doomed) {
    world.live.delete(key);
    // A delete never acknowledged may or may not have applied: check neither way for that key.
    if (!failed.has(key)) world.deleted.add(key);
  }
  // The grace period passes while a replica is down and the network split: nothing may be collected that
  // the missing replica could bring back.
  await runChecked(world, graceMs + 2_000);
  cluster.network.heal();
  cluster.restart(crashed);
}

async function reclamationScenario(run: ScenarioRun): Promise<ScenarioMetrics> {
  const ids: NodeId[] = replicationNodeIds(run.nodes + 1);
  const joiner = ids.pop()!;
  const cluster: Cluster = new SimCluster({
    seed: run.seed,
    scenario: scenarioName,
    nodes: run.nodes,
    factory: replicationNodes(
      (id) => (cluster.running().length === 0 ? [] : ids.filter((other) => other !== id)),
      reclamationSimConfig,
    ),
  });
  const world: World = { cluster, stores: new Map(), live: new Map(), deleted: new Set() };
  const faults = cluster.network.faults;
  cluster.network.faults = perfectNetwork;
  for (const id of ids) world.stores.set(id, cluster.add(id).store);
  const formed = () =>
    ringDivergence(cluster) === undefined && ringOf(world).size === cluster.running().length;
  await waitFor(world, formed, 60_000, 'forming');
  const creates = Array.from({ length: keyCount }, (_, i) => ({
    op: 'create' as const,
    key: `key-${i}`,
    valueJson: JSON.stringify(`value-${i}`),
    consistency: 'quorum' as const,
  }));
  const uncreated = await writeAll(world, creates);
  for (const { key, valueJson } of creates) if (!uncreated.has(key)) world.live.set(key, valueJson);
  cluster.network.faults = faults;
  await deletePhase(world);
  cluster.network.faults = healedRates(faults);
  const noTombstones = () => [...world.stores.values()].every((store) => store.counts().tombstones === 0);
  const gone = () =>
    [...world.deleted].every((key) =>
      ringOf(world)
        .preferenceList(key, reclamationSimConfig.replicationFactor)
        .every((id) => world.stores.get(id)?.get(key) === undefined),
    );
  const collectMs = await waitFor(world, () => gone() && noTombstones(), 4 * graceMs + 60_000, 'collection');
  await checkReads(world, 'after collection');
  const orphanCopies = orphans(world);
  if (orphanCopies > 0) {
    world.cluster.fail(
      `after collection: ${orphanCopies} deleted values held by nodes that do not replicate them`,
    );
  }

  world.stores.set(joiner, cluster.add(joiner).store);
  const joined = () =>
    ringDivergence(cluster) === undefined &&
    ringOf(world).has(joiner) &&
    cluster.node(joiner).membership.member(joiner)?.status === 'alive';
  await waitFor(world, joined, 60_000, 'the join');
  const cleanupMs = await waitFor(
    world,
    () => placementGaps(world).length === 0,
    120_000,
    `range cleanup after the join (${placementGaps(world).slice(0, 4).join(' ')})`,
  );
  await checkReads(world, 'after the join');
  const total = (stat: 'tombstonesCollected' | 'recordsCleaned') =>
    cluster.running().reduce((sum, id) => sum + (cluster.node(id).repair?.reclamationStatus()[stat] ?? 0), 0);
  return {
    collectMs,
    cleanupMs,
    keysDeleted: world.deleted.size,
    orphanCopies,
    tombstonesCollected: total('tombstonesCollected'),
    recordsCleaned: total('recordsCleaned'),
  };
}

registerScenario({
  name: scenarioName,
  description:
    'deletes while a replica is down and the network split, past the grace period: every tombstone is collected and no deleted key comes back; a join moves keys and the old owners drop them',
  nodesMin: 3,
  run: reclamationScenario,
});
