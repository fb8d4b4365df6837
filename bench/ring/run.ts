/**
 * `pnpm bench:ring`: ring lookups per second, and key balance and movement over 10 -> 11 nodes for ringkv
 * (random tokens and the allocator) beside the npm package `hashring`, in the same process. Prints tables
 * and rewrites the `## Ring` section of BENCHMARKS.md. Bounded: about 30 s on a 2-core machine.
 */
import { keyToken } from '../../packages/node/src/core/hash.js';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { machineInfo } from '../lib/machine.js';
import { type Column, markdownTable, terminalTable } from '../lib/table.js';
import { afterLeave, type BalanceRow, joinSequence, type LeaveRow } from './balance.js';
import {
  type Distribution,
  lookupsPerSecond,
  measureDistribution,
  type Rate,
  randomKeys,
} from './measure.js';
import {
  hashringForLookups,
  idsBefore,
  placements,
  randomTokenRing,
  replicationFactor,
} from './placements.js';

const keyCount = 1_000_000;
const keySeed = 42;
const ringPasses = 5;
const hashringPasses = 1;
// hashring's get runs near 100,000/s on a busy 2-core machine: time it over a slice of the keys.
const hashringLookupKeys = 250_000;
const idealMovedFraction = 1 / (idsBefore.length + 1);

interface LookupRow {
  what: string;
  rate: Rate;
  /** CPU-time rates over hashring's. */
  overHashring: number;
}

function measureLookups(keys: readonly string[]): LookupRow[] {
  const ring = randomTokenRing(idsBefore);
  const tokens = keys.map((key) => keyToken(key));
  const hashring = hashringForLookups();
  const hashringKeys = keys.slice(0, hashringLookupKeys);
  const hashringRate = lookupsPerSecond(hashringKeys, (key) => hashring.get(key), hashringPasses, 50_000);
  const rows = [
    {
      what: 'ringkv nodeFor(key) (murmur3 + binary search)',
      rate: lookupsPerSecond(keys, (key) => ring.nodeFor(key), ringPasses),
    },
    {
      what: 'ringkv nodeForToken(token) (binary search only)',
      rate: lookupsPerSecond(tokens, (token) => ring.nodeForToken(token), ringPasses),
    },
    {
      what: `ringkv preferenceList(key, ${replicationFactor})`,
      rate: lookupsPerSecond(keys, (key) => ring.preferenceList(key, replicationFactor), ringPasses),
    },
    { what: 'hashring get(key) (md5, 160 points per node)', rate: hashringRate },
  ];
  return rows.map((row) => ({
    what: row.what,
    rate: row.rate,
    overHashring: row.rate.cpu / hashringRate.cpu,
  }));
}

const lookupColumns: Column<LookupRow>[] = [
  {
    header: 'lookup (10 nodes x 128 vnodes, 1,000,000 random keys)',
    cell: (row) => row.what,
    alignRight: false,
  },
  { header: 'lookups/s (wall)', cell: (row) => row.rate.wall },
  { header: 'lookups per CPU-second', cell: (row) => row.rate.cpu },
  { header: 'vs hashring (CPU)', cell: (row) => `${row.overHashring.toFixed(1)}x` },
];

const distributionColumns: Column<Distribution>[] = [
  { header: 'placement (10 nodes, then an 11th joins)', cell: (row) => row.name, alignRight: false },
  { header: 'points/node', cell: (row) => row.pointsPerNode },
  { header: 'max/mean keys', cell: (row) => row.maxOverMean.toFixed(3) },
  { header: 'min/mean keys', cell: (row) => row.minOverMean.toFixed(3) },
  { header: 'keys moved', cell: (row) => `${(row.movedFraction * 100).toFixed(2)}%` },
  { header: 'moved / ideal 1/11', cell: (row) => (row.movedFraction / idealMovedFraction).toFixed(3) },
  {
    header: 'RF 3 max/mean replicas',
    cell: (row) => (row.replicaMaxOverMean === undefined ? undefined : row.replicaMaxOverMean.toFixed(3)),
  },
  {
    header: 'RF 3 replica sets changed',
    cell: (row) =>
      row.replicaSetChangedFraction === undefined
        ? undefined
        : `${(row.replicaSetChangedFraction * 100).toFixed(2)}%`,
  },
];

const balanceColumns: Column<BalanceRow>[] = [
  { header: 'nodes', cell: (row) => String(row.nodes) },
  { header: 'random tokens max/mean', cell: (row) => row.randomMaxOverMean.toFixed(3) },
  { header: 'allocator max/mean', cell: (row) => row.allocatorMaxOverMean.toFixed(3) },
  { header: 'random RF 3 max/mean', cell: (row) => row.randomReplicatedMaxOverMean.toFixed(3) },
  { header: 'allocator RF 3 max/mean', cell: (row) => row.allocatorReplicatedMaxOverMean.toFixed(3) },
  { header: 'allocator joiner share / ideal', cell: (row) => row.allocatorJoinerShareOverIdeal.toFixed(3) },
  { header: 'allocator CPU ms, all joins so far', cell: (row) => row.allocatorCpuMsSoFar.toFixed(0) },
];

const leaveColumns: Column<LeaveRow>[] = [
  { header: 'ring (128 vnodes)', cell: (row) => row.what, alignRight: false },
  { header: 'max/mean', cell: (row) => row.maxOverMean.toFixed(3) },
  { header: 'RF 3 max/mean', cell: (row) => row.replicatedMaxOverMean.toFixed(3) },
];

function main(): void {
  const startMs = performance.now();
  const machine = machineInfo();
  const keys = randomKeys(keyCount, keySeed);
  const lookups = measureLookups(keys);
  console.log(`\n${terminalTable(lookups, lookupColumns)}\n`);
  const distributions = placements().map((placement) => measureDistribution(placement, keys));
  console.log(`${terminalTable(distributions, distributionColumns)}\n`);
  const balance = joinSequence(20);
  console.log(`${terminalTable(balance.rows, balanceColumns)}\n`);
  const leave = afterLeave();
  console.log(`${terminalTable(leave, leaveColumns)}\n`);
  const elapsedSeconds = (performance.now() - startMs) / 1000;
  console.log(
    `allocator: ${balance.allocatorCpuMs.toFixed(0)} ms of CPU for 20 joins of 128 vnodes; run ${elapsedSeconds.toFixed(1)} s`,
  );
  writeBenchmarksSection(
    '## Ring',
    sectionBody({ machine, lookups, distributions, balance, leave, elapsedSeconds }),
  );
}

function sectionBody(run: {
  machine: ReturnType<typeof machineInfo>;
  lookups: LookupRow[];
  distributions: Distribution[];
  balance: ReturnType<typeof joinSequence>;
  leave: LeaveRow[];
  elapsedSeconds: number;
}): string {
  const { machine } = run;
  return [
    `\`pnpm bench:ring\` (bench/ring/run.ts), ${machine.dateIso}, nproc ${machine.nproc}, ${machine.cpuModel}, ` +
      `Node ${machine.nodeVersion}, load average ${machine.loadAverageAtStart.toFixed(2)} at start, ` +
      `${run.elapsedSeconds.toFixed(1)} s. Keys: 1,000,000 random \`user:...\` strings (seed ${keySeed}). ` +
      `ringkv lookups are the best of ${ringPasses} passes over all keys; hashring \`get\` (with its LRU cache, ` +
      `every key a miss) one pass over ${hashringLookupKeys.toLocaleString('en-US')} keys. The machine is ` +
      "shared, so rates are given per wall-clock second and per second of this process's CPU time; the " +
      'ratio uses CPU time. The hashring distribution rows use the point lookup `get` makes on a cache ' +
      'miss, without the cache.',
    markdownTable(run.lookups, lookupColumns),
    'Keys per node with 10 nodes, and keys whose owner (primary) changes when an 11th node joins; the ideal ' +
      'is 1/11 = 9.09%. The allocator rows build the 10-node ring by joining nodes one at a time. For ringkv ' +
      'also the replicas each node holds with replication factor 3, and the keys whose replica set changes ' +
      '(ideal 3/11 = 27.3%).',
    markdownTable(run.distributions, distributionColumns),
    'Token-space share (no keys) as nodes join one by one, 128 vnodes each: the largest share over the mean, ' +
      'as primary and as one of 3 replicas (what a node stores with the default replication factor), ' +
      `and the joiner's share over the ideal 1/N. The allocator used ${run.balance.allocatorCpuMs.toFixed(0)} ms ` +
      'of CPU for all 20 joins.',
    markdownTable(run.balance.rows, balanceColumns),
    'When a node leaves, its tokens go with it and each of its ranges falls to the next token clockwise, ' +
      'and nothing re-balances the rest. With the allocator the next token is the one whose range the ' +
      'leaver cut when it joined, so its load goes back to the nodes that gave it: evenly for a node that ' +
      'joined late, to the first few nodes for one that joined early (not fixed: a leave would have to ' +
      'move other tokens, and so more keys).',
    markdownTable(run.leave, leaveColumns),
  ].join('\n\n');
}

main();
