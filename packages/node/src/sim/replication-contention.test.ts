import { describe, expect, it } from 'vitest';
import './replication-scenarios.js';
import { runPlan } from './runner.js';
import { getScenario } from './scenarios.js';

/**
 * replication-contention seeds in `pnpm test`: partitions while clients create, update and delete three
 * keys. Besides fresh reads and no lost write, the checkers fail a run where any read or replica shows a
 * write its condition refused (sim/checkers.ts, refusedWriteVisible).
 */
const seedsPerSize: Array<[nodes: number, seeds: number]> = [
  [3, 16],
  [5, 12],
  [9, 8],
];

const total = (values: number[] | undefined) => (values ?? []).reduce((sum, value) => sum + value, 0);

describe('replication-contention in the simulator', () => {
  for (const [nodes, seeds] of seedsPerSize) {
    it(`${seeds} seeds at ${nodes} nodes: refused writes invisible, reads fresh, nothing lost`, async () => {
      const report = await runPlan({
        scenarios: [getScenario('replication-contention')!],
        nodes: [nodes],
        firstSeed: 7000 * nodes,
        seeds,
      });
      expect(report.failures.map((failure) => failure.message)).toEqual([]);
      expect(report.runs).toBe(seeds);
      // The runs refused writes and took both outcomes of single-round writes (else they prove little).
      const metric = (name: string) =>
        total(report.metrics.get(`replication-contention ${name} (n=${nodes})`));
      expect(metric('refusedWrites')).toBeGreaterThan(0);
      expect(metric('singleRoundWrites')).toBeGreaterThan(0);
      expect(metric('singleRoundRefused')).toBeGreaterThan(0);
    });
  }
});
