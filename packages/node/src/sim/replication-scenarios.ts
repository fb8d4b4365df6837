/**
 * Replication scenarios: full nodes (membership + coordinator + MemoryStore) under a client workload.
 * The cluster forms on a clean network; then the seed's faults (drops, duplicates, delays, reordering)
 * switch on and, in the safety phase, one node at a time crashes and restarts ('replication-crash') or the
 * network splits and heals ('replication-partition') while clients read and write with quorum (rf 3, r 2,
 * w 2: SPEC 5's promise holds with at most rf - w = 1 replica lost at a time). The liveness phase restarts
 * everything, heals the network, waits for the ring to agree and hints to be delivered, reads every key
 * once with consistency all (read repair stands in for anti-entropy, the elastic issue's), and requires
 * every replica to hold every acknowledged write, and no read or replica to show a write refused by its
 * condition (KEY_EXISTS, KEY_NOT_FOUND). Any violation fails with the one-line replay command.
 */
import type { NodeId } from '../core/types.js';
import {
  ackedWritesByKey,
  checkReadFreshness,
  isRefusedWrite,
  refusedWriteVisible,
  replicasMissingAckedWrites,
  ringDivergence,
} from './checkers.js';
import { SimCluster } from './harness.js';
import { healedRates, perfectNetwork } from './network.js';
import { type ReplicationSimNode, replicationNodes, replicationSimDefaults } from './replication-node.js';
import { registerScenario, type ScenarioMetrics, type ScenarioRun } from './scenarios.js';
import { Workload, type WorkloadOptions, workloadDefaults } from './workload.js';

type Cluster = SimCluster<ReplicationSimNode>;
type FaultKind = 'crash' | 'partition';

const workloadMs = 8_000;
const convergeMsMax = 90_000;
const hintDeliveryMs = 5_000;

export function replicationNodeIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `r${i + 1}:${7101 + i}`);
}

async function formCluster(run: ScenarioRun, scenario: string): Promise<Cluster> {
  const ids = replicationNodeIds(run.nodes);
  const cluster: Cluster = new SimCluster({
    seed: run.seed,
    scenario,
    nodes: run.nodes,
    // The first node is everyone's seed; a restarted node rejoins through every other node.
    factory: replicationNodes((id) =>
      cluster.running().length === 0 ? [] : ids.filter((other) => other !== id),
    ),
  });
  const faults = cluster.network.faults;
  cluster.network.faults = perfectNetwork;
  for (const id of ids) cluster.add(id);
  await runUntil(
    cluster,
    () => ringDivergence(cluster) === undefined && fullRing(cluster, ids),
    convergeMsMax,
    'forming',
  );
  cluster.network.faults = faults;
  return cluster;
}

function fullRing(cluster: Cluster, ids: readonly NodeId[]): boolean {
  return cluster.running().every((id) => cluster.node(id).membership.ring().size === ids.length);
}

async function runUntil(
  cluster: Cluster,
  done: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const stepMs = 100;
  for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += stepMs) {
    if (done()) return waitedMs;
    await cluster.runForAsync(stepMs);
  }
  return cluster.fail(
    `${what}: not done within ${timeoutMs} ms: ${ringDivergence(cluster) ?? 'ring agrees'}`,
  );
}

/** One fault at a time: crash a node and restart it later, or split the network and heal it later. */
function injectFaults(cluster: Cluster, kind: FaultKind, untilMs: number): void {
  let crashed: NodeId | undefined;
  const step = () => {
    if (cluster.clock.nowMs() >= untilMs) return;
    if (kind === 'crash') {
      if (crashed) {
        cluster.restart(crashed);
        crashed = undefined;
      } else {
        crashed = cluster.random.pick(cluster.running());
        cluster.crash(crashed);
      }
    } else if (cluster.random.chance(0.5)) {
      const shuffled = cluster.random.shuffle(cluster.ids());
      cluster.network.partition([shuffled.slice(0, cluster.random.between(1, shuffled.length - 1))]);
    } else {
      cluster.network.heal();
    }
    cluster.clock.setTimer(cluster.random.between(500, 3_000), step);
  };
  cluster.clock.setTimer(cluster.random.between(200, 1_500), step);
}

async function liveness(cluster: Cluster, workload: Workload): Promise<ScenarioMetrics> {
  for (const id of cluster.ids()) if (!cluster.isRunning(id)) cluster.restart(id);
  cluster.network.heal();
  cluster.network.faults = healedRates(cluster.network.faults);
  const ids = cluster.ids();
  const convergeMs = await runUntil(
    cluster,
    () => ringDivergence(cluster) === undefined && fullRing(cluster, ids),
    convergeMsMax,
    'ring convergence after healing',
  );
  await cluster.runForAsync(hintDeliveryMs);
  const { replicationFactor } = replicationSimDefaults;
  const afterHints = replicasMissingAckedWrites(cluster, workload.history, replicationFactor);
  const reader = cluster.node(ids[0]!);
  for (const key of ackedWritesByKey(workload.history).keys()) {
    // Outcome ignored: KEY_NOT_FOUND is a fine answer for a deleted key; the read's repair is the point.
    reader.data.execute('read', key, undefined, 'all').catch(() => undefined);
  }
  await cluster.runForAsync(3_000);
  const final = replicasMissingAckedWrites(cluster, workload.history, replicationFactor);
  if (final.missing > 0) {
    cluster.fail(
      `${final.missing} replicas lack an acknowledged write after healing: ${final.examples.join('; ')}`,
    );
  }
  const refused = refusedWriteVisible(cluster, workload.history);
  if (refused) cluster.fail(refused);
  const hintsLeft = ids.reduce((sum, id) => sum + cluster.node(id).store.hintCount(), 0);
  const coordinated = ids.map((id) => cluster.node(id).data.coordinator.stats);
  return {
    convergeMs,
    replicasMissingAfterHints: afterHints.missing,
    hintsLeft,
    singleRoundWrites: coordinated.reduce((sum, stats) => sum + stats.singleRoundWrites, 0),
    singleRoundRefused: coordinated.reduce((sum, stats) => sum + stats.singleRoundRefused, 0),
    refusedWrites: workload.history.filter(isRefusedWrite).length,
    replicaReads: workload.history.filter((record) => record.viaReplicas).length,
  };
}

/**
 * 'replication-contention': partitions, and clients that create, update and delete three keys (a fifth of
 * the operations deletes), so conditions fail often and replicas disagree: the refusal paths of
 * single-round writes (core/single-round-write.ts) run many times per seed.
 */
const contention: WorkloadOptions = {
  ...workloadDefaults,
  clients: 10,
  keys: 3,
  mix: { create: 0.25, update: 0.35, read: 0.2 },
};

async function replicationScenario(
  run: ScenarioRun,
  kind: FaultKind,
  name = `replication-${kind}`,
  options: WorkloadOptions = workloadDefaults,
): Promise<ScenarioMetrics> {
  const cluster = await formCluster(run, name);
  const workload = new Workload(cluster, options);
  workload.start();
  injectFaults(cluster, kind, cluster.clock.nowMs() + workloadMs);
  await cluster.runForAsync(workloadMs);
  workload.stop();
  await runUntil(cluster, () => workload.pending() === 0, 15_000, 'clients finishing');
  const freshness = checkReadFreshness(workload.history);
  if (freshness.violation) cluster.fail(freshness.violation);
  const metrics = await liveness(cluster, workload);
  const acked = [...ackedWritesByKey(workload.history).values()].reduce(
    (sum, writes) => sum + writes.length,
    0,
  );
  return {
    ...metrics,
    operations: workload.history.length,
    ackedWrites: acked,
    readsChecked: freshness.readsChecked,
  };
}

export const replicationScenarioNames = [
  'replication-crash',
  'replication-partition',
  'replication-contention',
  'replication-replica-reads',
] as const;

registerScenario({
  name: 'replication-crash',
  description:
    'quorum reads/writes while one node at a time crashes and restarts; no acknowledged write lost',
  nodesMin: 3,
  run: (run) => replicationScenario(run, 'crash'),
});

registerScenario({
  name: 'replication-partition',
  description: 'quorum reads/writes while the network splits and heals; reads fresh, replicas converge',
  nodesMin: 3,
  run: (run) => replicationScenario(run, 'partition'),
});

/**
 * 'replication-replica-reads': the contention workload with seven reads in ten tried on the replicas by
 * the client, as RingClient does (sim/replica-read-client.ts), while the network splits and heals: the
 * freshness checker holds those reads to the same rule as coordinator reads.
 */
const replicaReads: WorkloadOptions = {
  ...contention,
  mix: { create: 0.2, update: 0.3, read: 0.35 },
  replicaReads: 0.7,
};

registerScenario({
  name: 'replication-replica-reads',
  description:
    'reads answered by the replicas when they agree (RingClient), under partitions: reads stay fresh',
  nodesMin: 3,
  run: (run) => replicationScenario(run, 'partition', 'replication-replica-reads', replicaReads),
});

registerScenario({
  name: 'replication-contention',
  description:
    'partitions while clients create, update and delete 3 keys: refused writes stay invisible, reads fresh',
  nodesMin: 3,
  run: (run) => replicationScenario(run, 'partition', 'replication-contention', contention),
});
