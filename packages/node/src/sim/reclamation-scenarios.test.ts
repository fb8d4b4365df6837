import { describe, expect, it } from 'vitest';
import './reclamation-scenarios.js';
import { runPlan } from './runner.js';
import { getScenario } from './scenarios.js';

/**
 * reclamation seeds in `pnpm test`: deletes while a replica is down and the network split, time past the
 * grace period, heal; every tombstone collected everywhere, no deleted key back (checked at every step and
 * by reads at consistency all); then a join, after which old owners hold none of the keys that moved and
 * every replica holds every key. A failure prints the replay command.
 */
const seedsPerSize: Array<[nodes: number, seeds: number]> = [
  [3, 30],
  [4, 20],
];

describe('reclamation in the simulator', () => {
  for (const [nodes, seeds] of seedsPerSize) {
    it(`${seeds} seeds at ${nodes} nodes: tombstones collected, nothing resurrected, moved keys cleaned up`, async () => {
      const report = await runPlan({
        scenarios: [getScenario('reclamation')!],
        nodes: [nodes],
        firstSeed: 9100 * nodes,
        seeds,
      });
      expect(report.failures.map((failure) => failure.message)).toEqual([]);
      expect(report.runs).toBe(seeds);
      const total = (metric: string) =>
        (report.metrics.get(`reclamation ${metric} (n=${nodes})`) ?? []).reduce((a, b) => a + b, 0);
      // The runs really deleted, collected and cleaned up.
      expect(total('keysDeleted')).toBeGreaterThan(seeds);
      expect(total('tombstonesCollected')).toBeGreaterThan(seeds);
      expect(total('recordsCleaned')).toBeGreaterThan(seeds);
    }, 120_000);
  }
});
