/**
 * Runs scenarios over many seeds and summarises their metrics. Seed i runs scenario i mod k on
 * nodes[floor(i / k) mod m], so any number of seeds spreads evenly over scenarios and cluster sizes; a
 * single `--seed` runs exactly the given scenario and size (a replay).
 */
import { SimFailure } from './harness.js';
import type { Scenario } from './scenarios.js';

export interface RunPlan {
  scenarios: Scenario[];
  nodes: number[];
  /** Seeds firstSeed, firstSeed + 1, ... */
  firstSeed: number;
  seeds: number;
}

export interface RunFailure {
  seed: number;
  nodes: number;
  scenario: string;
  message: string;
}

export interface RunReport {
  runs: number;
  failures: RunFailure[];
  /** `scenario metric` -> one value per run. */
  metrics: Map<string, number[]>;
  elapsedMs: number;
}

export function planRuns(plan: RunPlan): Array<{ seed: number; nodes: number; scenario: Scenario }> {
  const runs: Array<{ seed: number; nodes: number; scenario: Scenario }> = [];
  const k = plan.scenarios.length;
  for (let i = 0; i < plan.seeds; i++) {
    const seed = plan.firstSeed + i;
    const scenario = plan.scenarios[i % k]!;
    const nodes = plan.nodes[Math.floor(i / k) % plan.nodes.length]!;
    if (nodes >= scenario.nodesMin) runs.push({ seed, nodes, scenario });
  }
  return runs;
}

export async function runPlan(
  plan: RunPlan,
  onRun?: (done: number, total: number) => void,
): Promise<RunReport> {
  const started = performance.now();
  const runs = planRuns(plan);
  const report: RunReport = { runs: 0, failures: [], metrics: new Map(), elapsedMs: 0 };
  for (const { seed, nodes, scenario } of runs) {
    try {
      const metrics = await scenario.run({ seed, nodes });
      for (const [name, value] of Object.entries(metrics)) {
        const key = `${scenario.name} ${name} (n=${nodes})`;
        report.metrics.set(key, [...(report.metrics.get(key) ?? []), value]);
      }
    } catch (error) {
      // A SimFailure carries its replay line; anything else is a crash in the code under test: replay it too.
      const replay = `pnpm sim --seed ${seed} --nodes ${nodes} --scenario ${scenario.name}`;
      const message = error instanceof SimFailure ? error.message : `${String(error)}\n  replay: ${replay}`;
      report.failures.push({ seed, nodes, scenario: scenario.name, message });
    }
    report.runs++;
    onRun?.(report.runs, runs.length);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

export interface Summary {
  count: number;
  median: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, median: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
