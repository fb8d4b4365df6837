import { describe, expect, it } from 'vitest';
import { membershipScenarioNames } from './membership-scenarios.js';
import { runPlan } from './runner.js';
import { getScenario } from './scenarios.js';

/**
 * The membership seeds `pnpm test` runs: 5 scenarios x (20 seeds at 3 nodes, 12 at 5, 10 at 9) = 210
 * runs, each on a network whose drop, duplicate, delay and reorder rates come from its seed. The nightly
 * run is `pnpm sim --seeds 10000`. A failure's message ends with its one-line replay command.
 */
const seedsPerSize: Array<[nodes: number, seeds: number]> = [
  [3, 20],
  [5, 12],
  [9, 10],
];

describe('membership converges in the simulator', () => {
  for (const name of membershipScenarioNames) {
    for (const [nodes, seeds] of seedsPerSize) {
      it(`${name}: ${seeds} seeds at ${nodes} nodes`, async () => {
        const scenario = getScenario(name)!;
        const report = await runPlan({
          scenarios: [scenario],
          nodes: [nodes],
          firstSeed: 1000 * nodes,
          seeds,
        });
        expect(report.failures.map((f) => f.message)).toEqual([]);
        expect(report.runs).toBe(seeds);
      });
    }
  }

  it('replays a seed exactly: the same seed gives the same measurements', async () => {
    const scenario = getScenario('membership-chaos')!;
    const first = await scenario.run({ seed: 12345, nodes: 5 });
    const second = await scenario.run({ seed: 12345, nodes: 5 });
    expect(second).toEqual(first);
  });
});
