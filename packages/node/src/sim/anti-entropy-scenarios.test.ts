import { describe, expect, it } from 'vitest';
import './anti-entropy-scenarios.js';
import { runPlan } from './runner.js';
import { getScenario } from './scenarios.js';

/**
 * anti-entropy-partition seeds in `pnpm test` (100 in all): 40 at 3 nodes, 40 at 5, 20 at 9, faults drawn
 * from each seed. Read repair and hints are off; a run fails unless every replica of every key converges
 * after healing, with the replay command in the message.
 */
const seedsPerSize: Array<[nodes: number, seeds: number]> = [
  [3, 40],
  [5, 40],
  [9, 20],
];

describe('anti-entropy-partition in the simulator', () => {
  for (const [nodes, seeds] of seedsPerSize) {
    it(`${seeds} seeds at ${nodes} nodes: replicas converge by anti-entropy alone`, async () => {
      const report = await runPlan({
        scenarios: [getScenario('anti-entropy-partition')!],
        nodes: [nodes],
        firstSeed: 7000 * nodes,
        seeds,
      });
      expect(report.failures.map((failure) => failure.message)).toEqual([]);
      expect(report.runs).toBe(seeds);
      // The partition really left replicas apart, and anti-entropy really moved records to join them.
      const total = (metric: string) =>
        (report.metrics.get(`anti-entropy-partition ${metric} (n=${nodes})`) ?? []).reduce(
          (a, b) => a + b,
          0,
        );
      expect(total('keysDivergentAtHeal')).toBeGreaterThan(0);
      expect(total('keysAppliedByAntiEntropy')).toBeGreaterThan(0);
    }, 60_000);
  }
});
