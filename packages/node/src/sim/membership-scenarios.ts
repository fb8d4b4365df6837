/**
 * Membership scenarios. Each forms a cluster through seeds on the seed's faulty network (drops,
 * duplicates, delays, reordering drawn per seed), makes one thing happen (a join, a leave, a crash, a
 * partition, or a storm of them), and measures how many protocol periods pass until every running node
 * reports the same members, statuses and ring checksum. Then it heals every fault (the liveness phase)
 * and fails, printing the replay command, unless the cluster converges within `convergencePeriodsMax`.
 */
import { membershipDefaults } from '../core/membership-config.js';
import { primaryShares } from '../core/ranges.js';
import type { NodeId } from '../core/types.js';
import { SimCluster } from './harness.js';
import { divergence, type Expectation, viewOf } from './membership-checker.js';
import {
  type MembershipSimNode,
  membershipNodes,
  simMembershipConfig,
  type TokenChoice,
} from './membership-node.js';
import { healedRates } from './network.js';
import { registerScenario, type ScenarioRun } from './scenarios.js';

const periodMs = membershipDefaults.protocolPeriodMs;
const checkEveryMs = 100;

/**
 * The liveness bound, in protocol periods after every fault is healed. A crashed member is probed within
 * two rounds (2n periods) at worst, is suspect for `suspectTimeoutMs`, and the verdict spreads in
 * O(log n) periods; a healed partition needs each side to ping a dead member and sync. The constant
 * leaves room for the slowest seeds measured (see BENCHMARKS.md, Simulator).
 */
export function convergencePeriodsMax(nodes: number): number {
  return 2 * nodes + membershipDefaults.suspectTimeoutMs / periodMs + 20;
}

export function simNodeIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}:${7001 + i}`);
}

type Cluster = SimCluster<MembershipSimNode>;

/**
 * A cluster whose `add(id)` joins through one or two random members of `seedPool()` (default: every node
 * added so far), as an operator's --join list would name them.
 */
function createCluster(
  run: ScenarioRun,
  scenario: string,
  tokenChoice: TokenChoice = 'default',
  seedPool?: () => NodeId[],
): Cluster {
  const seeds = new Map<NodeId, NodeId[]>();
  const cluster: Cluster = new SimCluster({
    seed: run.seed,
    scenario,
    nodes: run.nodes,
    // A restarted node joins through every other node it knows of, as an operator's --join list would.
    factory: membershipNodes(
      (id) => seeds.get(id) ?? cluster.ids().filter((other) => other !== id),
      simMembershipConfig,
      tokenChoice,
    ),
  });
  const addWithSeeds = cluster.add.bind(cluster);
  cluster.add = (id: NodeId) => {
    const others = (seedPool?.() ?? cluster.ids()).filter((other) => other !== id);
    const count = Math.min(others.length, cluster.random.between(1, 2));
    seeds.set(id, cluster.random.shuffle(others).slice(0, count));
    const node = addWithSeeds(id);
    seeds.delete(id);
    return node;
  };
  return cluster;
}

/** Starts `ids` at random moments within two seconds, each joining through one or two earlier nodes. */
function formCluster(cluster: Cluster, ids: readonly NodeId[]): void {
  cluster.add(ids[0]!);
  for (const id of ids.slice(1))
    cluster.clock.setTimer(cluster.random.between(0, 2_000), () => cluster.add(id));
  cluster.runFor(2_001);
}

/** Runs until converged to `expected`; the periods it took, or undefined after `timeoutPeriods`. */
function periodsToConverge(
  cluster: Cluster,
  expected: Expectation,
  timeoutPeriods: number,
): number | undefined {
  const elapsedMs = cluster.runUntil(
    () => !divergence(cluster, expected),
    timeoutPeriods * periodMs,
    checkEveryMs,
  );
  return elapsedMs === undefined ? undefined : elapsedMs / periodMs;
}

/** The liveness phase: heal every fault and require convergence within the bound. */
function healAndConverge(cluster: Cluster, expected: Expectation, what: string): number {
  const faults = cluster.network.faults;
  cluster.network.heal();
  cluster.network.faults = healedRates(faults);
  const bound = convergencePeriodsMax(cluster.ids().length);
  const periods = periodsToConverge(cluster, expected, bound);
  if (periods === undefined) {
    const views = cluster
      .running()
      .map((id) => `    ${id}: ${viewOf(cluster.node(id))} ${cluster.node(id).membership.running()}`);
    cluster.fail(
      `${what}: not converged ${bound} periods after healing: ${divergence(cluster, expected)}\n${views.join('\n')}`,
    );
  }
  cluster.network.faults = faults;
  return periods;
}

/** Measures convergence after an event on the faulty network; heals if it takes longer than a window. */
function measureAfter(cluster: Cluster, expected: Expectation, what: string): number {
  const windowPeriods = 60;
  const periods = periodsToConverge(cluster, expected, windowPeriods);
  return periods ?? windowPeriods + healAndConverge(cluster, expected, what);
}

function joinScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-join');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids.slice(0, -1));
  healAndConverge(cluster, { alive: ids.slice(0, -1), dead: [] }, 'forming');
  cluster.add(ids.at(-1)!);
  return { joinPeriods: measureAfter(cluster, { alive: ids, dead: [] }, 'join') };
}

/**
 * A third of the nodes (at least two) join at the same moment, each through its own seeds, choosing their
 * tokens (tokens.ts) and turning alive when their simulated ranges have streamed in. They must converge as
 * any join does, and the ring must end near an even split: two joiners that chose against the same ring
 * would otherwise cut the same ranges, leaving one a sliver (provisional-tokens.ts makes one choose again).
 */
function concurrentJoinScenario(run: ScenarioRun): Record<string, number> {
  const ids = simNodeIds(run.nodes);
  const founders = ids.slice(0, ids.length - Math.max(2, Math.floor(ids.length / 3)));
  // The joiners name founders to join through (a joiner named as a seed would answer joins itself after
  // a few rounds without an answer, and two clusters formed apart is another scenario).
  const cluster = createCluster(run, 'membership-concurrent-join', 'allocate-and-stream', () =>
    cluster.ids().filter((id) => founders.includes(id)),
  );
  for (const id of founders) {
    cluster.add(id);
    cluster.runFor(5 * periodMs);
  }
  healAndConverge(cluster, { alive: founders, dead: [] }, 'forming one at a time');
  for (const id of ids.slice(founders.length)) cluster.add(id);
  const periods = measureAfter(cluster, { alive: ids, dead: [] }, 'concurrent join');
  const shares = primaryShares(cluster.node(ids[0]!).membership.ring());
  const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
  const minShareOverMean = Math.min(...shares) / mean;
  if (minShareOverMean < concurrentJoinShareMin) {
    cluster.fail(
      `after the concurrent join the smallest primary share is ${minShareOverMean.toFixed(3)} of the mean (< ${concurrentJoinShareMin}): ${shares.map((share) => share.toFixed(3)).join(' ')}`,
    );
  }
  // Reported as a shortfall, so the report's p99 and max are the worst splits.
  return { concurrentJoinPeriods: periods, smallestShareShortfall: 1 - minShareOverMean };
}

/**
 * The smallest primary share a node may end with after a concurrent join, as a fraction of the mean.
 * Joins one at a time reach about 0.9 with the simulator's 8 vnodes; two joiners that did not see each
 * other leave one of them near 0.
 */
const concurrentJoinShareMin = 0.5;

function leaveScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-leave');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids);
  healAndConverge(cluster, { alive: ids, dead: [] }, 'forming');
  const leaver = cluster.random.pick(ids);
  cluster.node(leaver).membership.leave();
  const rest = ids.filter((id) => id !== leaver);
  return { leavePeriods: measureAfter(cluster, { alive: rest, dead: [] }, `leave of ${leaver}`) };
}

function crashScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-crash');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids);
  healAndConverge(cluster, { alive: ids, dead: [] }, 'forming');
  const victim = cluster.random.pick(ids);
  const crashedAtMs = cluster.clock.nowMs();
  cluster.crash(victim);
  const rest = ids.filter((id) => id !== victim);
  const periods = measureAfter(cluster, { alive: rest, dead: [victim] }, `crash of ${victim}`);
  checkSuspectBeforeDead(cluster, rest, victim, crashedAtMs);
  return { crashPeriods: periods };
}

/** Nobody may declare the victim dead before someone suspected it for the whole suspicion timeout. */
function checkSuspectBeforeDead(
  cluster: Cluster,
  observers: NodeId[],
  victim: NodeId,
  sinceMs: number,
): void {
  const seen = (status: string) =>
    observers.flatMap((id) =>
      cluster
        .node(id)
        .events.filter((e) => e.atMs >= sinceMs && e.event.type === 'member')
        .filter(
          (e) =>
            e.event.type === 'member' && e.event.member.id === victim && e.event.member.status === status,
        )
        .map((e) => e.atMs),
    );
  const firstSuspectMs = Math.min(...seen('suspect'));
  const firstDeadMs = Math.min(...seen('dead'));
  if (!(firstDeadMs - firstSuspectMs >= membershipDefaults.suspectTimeoutMs)) {
    cluster.fail(`${victim} declared dead ${firstDeadMs - firstSuspectMs} ms after its first suspicion`);
  }
}

/** remove_node: an operator decommissions a member (leaving everywhere), then forgets it (gone, stopped). */
function removeScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-remove');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids);
  healAndConverge(cluster, { alive: ids, dead: [] }, 'forming');
  const [victim, operator] = cluster.random.shuffle(ids) as [NodeId, NodeId];
  const rest = ids.filter((id) => id !== victim);
  cluster.node(operator).membership.decommission(victim);
  const leaving = { alive: rest, dead: [], leaving: [victim] };
  const decommissionPeriods = measureAfter(cluster, leaving, `decommission of ${victim}`);
  cluster.node(operator).membership.forget(victim);
  const forgetPeriods = measureAfter(cluster, { alive: rest, dead: [] }, `forget of ${victim}`);
  if (cluster.node(victim).membership.running()) cluster.fail(`${victim} still runs after being forgotten`);
  return { decommissionPeriods, forgetPeriods };
}

function partitionScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-partition');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids);
  healAndConverge(cluster, { alive: ids, dead: [] }, 'forming');
  const shuffled = cluster.random.shuffle(ids);
  const cut = cluster.random.between(1, ids.length - 1);
  cluster.network.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
  // Long enough, usually, for each side to declare the other dead.
  cluster.runFor(cluster.random.between(5, 30) * periodMs);
  return { partitionHealPeriods: healAndConverge(cluster, { alive: ids, dead: [] }, 'partition heal') };
}

/** Swarm of faults: crashes, restarts, partitions and a late joiner, then heal everything. */
function chaosScenario(run: ScenarioRun): Record<string, number> {
  const cluster = createCluster(run, 'membership-chaos');
  const ids = simNodeIds(run.nodes);
  formCluster(cluster, ids.slice(0, -1));
  for (let step = 0; step < 12; step++) {
    const roll = cluster.random.next();
    const id = cluster.random.pick(ids.slice(0, -1));
    if (roll < 0.3 && cluster.isRunning(id) && cluster.running().length > 1) cluster.crash(id);
    else if (roll < 0.6 && !cluster.isRunning(id)) cluster.restart(id);
    else if (roll < 0.75) cluster.network.partition([cluster.random.shuffle(ids).slice(0, ids.length >> 1)]);
    else if (roll < 0.85) cluster.network.heal();
    if (step === 6) cluster.add(ids.at(-1)!);
    cluster.runFor(cluster.random.between(1, 5) * periodMs);
  }
  // Keep the crash-restart gap above a millisecond so a restarted node's incarnation is higher.
  for (const id of ids) if (!cluster.isRunning(id)) cluster.restart(id);
  return { chaosHealPeriods: healAndConverge(cluster, { alive: ids, dead: [] }, 'chaos heal') };
}

export const membershipScenarioNames = [
  'membership-join',
  'membership-leave',
  'membership-crash',
  'membership-partition',
  'membership-chaos',
  'membership-remove',
  'membership-concurrent-join',
] as const;

registerScenario({
  name: 'membership-join',
  description: 'n-1 nodes form through seeds; the n-th joins',
  nodesMin: 2,
  run: joinScenario,
});
registerScenario({
  name: 'membership-leave',
  description: 'n nodes; one leaves gracefully',
  nodesMin: 2,
  run: leaveScenario,
});
registerScenario({
  name: 'membership-crash',
  description: 'n nodes; one crashes (suspect, then dead)',
  nodesMin: 2,
  run: crashScenario,
});
registerScenario({
  name: 'membership-partition',
  description: 'n nodes split in two, then healed',
  nodesMin: 2,
  run: partitionScenario,
});
registerScenario({
  name: 'membership-chaos',
  description: 'crashes, restarts, partitions and a join, then everything healed',
  nodesMin: 3,
  run: chaosScenario,
});
registerScenario({
  name: 'membership-concurrent-join',
  description: 'n - max(2, n/3) nodes join one at a time; the rest join at the same moment',
  nodesMin: 3,
  run: concurrentJoinScenario,
});
registerScenario({
  name: 'membership-remove',
  description: 'n nodes; one is decommissioned, then forgotten (remove_node)',
  nodesMin: 2,
  run: removeScenario,
});
