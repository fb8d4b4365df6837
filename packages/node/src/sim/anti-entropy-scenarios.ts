/**
 * 'anti-entropy-partition': replicas converge by anti-entropy alone. A cluster (rf 3) forms on a clean
 * network with read repair and hints switched off; the network splits in two and clients write on both
 * sides with consistency one (so each side acknowledges writes the other never saw); then the network
 * heals, nobody reads, no hint exists, and every replica of every key must come to hold the same record,
 * at least as new as the newest acknowledged write of the key, through anti-entropy rounds only.
 */
import { compareRecords, type NodeId, type StoredRecord } from '../core/types.js';
import { ackedWritesByKey, ringDivergence } from './checkers.js';
import { SimCluster } from './harness.js';
import { healedRates, perfectNetwork } from './network.js';
import { type ReplicationSimNode, replicationNodes, replicationSimDefaults } from './replication-node.js';
import { replicationNodeIds } from './replication-scenarios.js';
import { registerScenario, type ScenarioMetrics, type ScenarioRun } from './scenarios.js';
import { Workload, workloadDefaults } from './workload.js';

type Cluster = SimCluster<ReplicationSimNode>;

const scenarioName = 'anti-entropy-partition';
const formMsMax = 60_000;
const partitionedWritesMs = 10_000;
const convergeMsMax = 120_000;
const stepMs = 250;

export const antiEntropySimConfig = {
  ...replicationSimDefaults,
  readRepair: false,
  hints: false,
  antiEntropy: { intervalMs: 1_000, rangesPerRound: 4, partsPerRoundMax: 64, requestTimeoutMs: 1_000 },
};

async function waitFor(cluster: Cluster, done: () => boolean, timeoutMs: number, what: string) {
  for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += stepMs) {
    if (done()) return waitedMs;
    await cluster.runForAsync(stepMs);
  }
  return cluster.fail(`${what}: not done within ${timeoutMs} ms`);
}

function sameRecord(a: StoredRecord | undefined, b: StoredRecord | undefined): boolean {
  return a === undefined || b === undefined ? a === b : compareRecords(a, b) === 0;
}

/** Keys whose replicas disagree, or lack the newest acknowledged write; the first few described. */
function divergence(cluster: Cluster, workload: Workload): { keys: number; examples: string[] } {
  const ring = cluster.node(cluster.ids()[0]!).membership.ring();
  const acked = ackedWritesByKey(workload.history);
  const examples: string[] = [];
  let keys = 0;
  for (const key of workload.keys()) {
    const replicas = ring.preferenceList(key, antiEntropySimConfig.replicationFactor);
    const held = replicas.map((id) => cluster.node(id).store.get(key));
    let newestAcked: { version: number; writer: NodeId } | undefined;
    for (const write of acked.get(key) ?? []) {
      if (!newestAcked || compareRecords(write, newestAcked) > 0) newestAcked = write;
    }
    const agree = held.every((record) => sameRecord(record, held[0]));
    const fresh = !newestAcked || (held[0] !== undefined && compareRecords(held[0], newestAcked) >= 0);
    if (agree && fresh) continue;
    keys++;
    if (examples.length < 3) {
      const views = replicas.map((id, i) => `${id}=${held[i] ? `v${held[i]!.version}` : 'none'}`);
      examples.push(`${key}: ${views.join(' ')}${fresh ? '' : ' (newest acknowledged write missing)'}`);
    }
  }
  return { keys, examples };
}

async function antiEntropyScenario(run: ScenarioRun): Promise<ScenarioMetrics> {
  const ids: NodeId[] = replicationNodeIds(run.nodes);
  const cluster: Cluster = new SimCluster({
    seed: run.seed,
    scenario: scenarioName,
    nodes: run.nodes,
    factory: replicationNodes(
      (id) => (cluster.running().length === 0 ? [] : ids.filter((other) => other !== id)),
      antiEntropySimConfig,
    ),
  });
  const faults = cluster.network.faults;
  cluster.network.faults = perfectNetwork;
  for (const id of ids) cluster.add(id);
  const formed = () =>
    ringDivergence(cluster) === undefined &&
    ids.every((id) => cluster.node(id).membership.ring().size === ids.length);
  await waitFor(cluster, formed, formMsMax, 'forming');

  // Two sides, each with at least one node; the seed's faults (drops, delays, duplicates) switch on.
  const shuffled = cluster.random.shuffle(ids);
  cluster.network.partition([shuffled.slice(0, cluster.random.between(1, ids.length - 1))]);
  cluster.network.faults = faults;
  const workload = new Workload(cluster, { ...workloadDefaults, consistency: 'one' });
  workload.start();
  await cluster.runForAsync(partitionedWritesMs);
  workload.stop();
  await waitFor(cluster, () => workload.pending() === 0, 15_000, 'clients finishing');

  const atHeal = divergence(cluster, workload);
  cluster.network.heal();
  cluster.network.faults = healedRates(faults);
  const convergeMs = await waitFor(
    cluster,
    () => divergence(cluster, workload).keys === 0,
    convergeMsMax,
    `convergence by anti-entropy (${divergence(cluster, workload).examples.join('; ')})`,
  ).catch((error: unknown) => {
    const now = divergence(cluster, workload);
    if (now.keys > 0)
      cluster.fail(`${now.keys} keys still diverge after healing: ${now.examples.join('; ')}`);
    throw error;
  });
  const repaired = ids.reduce(
    (sum, id) => sum + (cluster.node(id).repair?.antiEntropy.stats.keysApplied ?? 0),
    0,
  );
  const acked = [...ackedWritesByKey(workload.history).values()].reduce((sum, w) => sum + w.length, 0);
  return {
    convergeMs,
    keysDivergentAtHeal: atHeal.keys,
    keysAppliedByAntiEntropy: repaired,
    ackedWrites: acked,
  };
}

registerScenario({
  name: scenarioName,
  description:
    'partition, writes on both sides (consistency one), heal: replicas converge by anti-entropy alone (no read repair, no hints)',
  nodesMin: 3,
  run: antiEntropyScenario,
});
