import { describe, expect, it } from 'vitest';
import './replication-scenarios.js';
import { runPlan } from './runner.js';
import { getScenario } from './scenarios.js';

/**
 * replication-partition seeds in `pnpm test`: 14 at 3 nodes, 10 at 5, 8 at 9 (faults drawn from each seed).
 * The checkers (sim/checkers.ts) fail a run on a stale quorum read, and after healing on any replica
 * missing an acknowledged write; the failure message ends with the replay command.
 */
const seedsPerSize: Array<[nodes: number, seeds: number]> = [
  [3, 14],
  [5, 10],
  [9, 8],
];

describe('replication-partition in the simulator', () => {
  for (const [nodes, seeds] of seedsPerSize) {
    it(`${seeds} seeds at ${nodes} nodes: fresh quorum reads, no acknowledged write lost`, async () => {
      const report = await runPlan({
        scenarios: [getScenario('replication-partition')!],
        nodes: [nodes],
        firstSeed: 5000 * nodes,
        seeds,
      });
      expect(report.failures.map((failure) => failure.message)).toEqual([]);
      expect(report.runs).toBe(seeds);
      // The workload really acknowledged writes and checked reads (a run that did nothing proves nothing).
      expect(
        report.metrics.get(`replication-partition ackedWrites (n=${nodes})`)?.reduce((a, b) => a + b, 0),
      ).toBeGreaterThan(0);
    });
  }
});
