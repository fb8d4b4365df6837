/**
 * The scenario registry. A scenario is one seeded run of a simulated cluster with its checkers; it
 * returns numbers worth reporting (e.g. protocol periods to converge) or throws a `SimFailure` (through
 * `cluster.fail`) whose message ends with the replay command. Scenario modules call `registerScenario`
 * when imported; `sim/all-scenarios.ts` imports every one of them for the CLI.
 */

export interface ScenarioRun {
  seed: number;
  /** Cluster size (3 to 50). */
  nodes: number;
}

/** Named measurements of one run; the CLI reports median, p99 and max of each over all seeds. */
export type ScenarioMetrics = Record<string, number>;

export interface Scenario {
  name: string;
  description: string;
  /** Node counts the scenario supports; the CLI skips others. */
  nodesMin: number;
  run(run: ScenarioRun): ScenarioMetrics | Promise<ScenarioMetrics>;
}

const registry = new Map<string, Scenario>();

export function registerScenario(scenario: Scenario): void {
  if (registry.has(scenario.name)) throw new Error(`scenario ${scenario.name} is registered twice`);
  registry.set(scenario.name, scenario);
}

export function getScenario(name: string): Scenario | undefined {
  return registry.get(name);
}

export function scenarioNames(): string[] {
  return [...registry.keys()];
}

export function allScenarios(): Scenario[] {
  return [...registry.values()];
}
