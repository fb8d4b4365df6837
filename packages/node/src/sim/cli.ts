/**
 * `pnpm sim`: runs simulator scenarios over many seeds (the nightly run is `pnpm sim --seeds 10000`), or
 * replays one run (`pnpm sim --seed S --nodes N --scenario NAME`, the line every failure prints).
 * Prints each metric's median, p99 and max over the seeds; exits 1 if any run failed.
 */
import { Command, InvalidArgumentError } from 'commander';
import './all-scenarios.js';
import { type RunReport, runPlan, summarize } from './runner.js';
import { allScenarios, getScenario, scenarioNames } from './scenarios.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError('expected a non-negative integer');
  return value;
}

function nodeList(text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((n) => !Number.isInteger(n) || n < 1 || n > 50)) {
    throw new InvalidArgumentError('expected node counts from 1 to 50, e.g. 3,5,9');
  }
  return values;
}

function printReport(report: RunReport, markdown: boolean): void {
  const rows = [...report.metrics].map(([name, values]) => ({ name, ...summarize(values) }));
  if (markdown) {
    console.log('| scenario metric | runs | median | p99 | max |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.name} | ${r.count} | ${r.median} | ${r.p99} | ${r.max} |`);
  } else {
    for (const r of rows) {
      console.log(`${r.name.padEnd(50)} runs ${r.count}  median ${r.median}  p99 ${r.p99}  max ${r.max}`);
    }
  }
  for (const failure of report.failures) console.log(`FAIL ${failure.message}`);
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  console.log(
    `${report.runs - report.failures.length} passed, ${report.failures.length} failed (${seconds} s)`,
  );
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('sim')
    .description('run ringkv simulator scenarios over many seeds')
    .option('--seeds <count>', 'number of seeds to run', positiveInteger, 100)
    .option('--first-seed <seed>', 'first seed of the range', positiveInteger, 1)
    .option('--seed <seed>', 'replay one seed (with --nodes N --scenario NAME)', positiveInteger)
    .option('--nodes <counts>', 'cluster sizes, comma-separated', nodeList, [3, 5, 9])
    .option('--scenario <names>', `comma-separated, from: ${scenarioNames().join(', ')}`)
    .option('--markdown', 'print the summary as a markdown table')
    .option('--list', 'list the scenarios and exit')
    .parse(argv);
  const options = program.opts<{
    seeds: number;
    firstSeed: number;
    seed?: number;
    nodes: number[];
    scenario?: string;
    markdown?: boolean;
    list?: boolean;
  }>();
  if (options.list) {
    for (const s of allScenarios()) console.log(`${s.name.padEnd(24)} ${s.description}`);
    return;
  }
  const names = options.scenario ? options.scenario.split(',') : scenarioNames();
  const unknown = names.filter((name) => !getScenario(name));
  if (unknown.length > 0)
    program.error(`unknown scenario ${unknown.join(', ')}; try --list`, { exitCode: 2 });
  const scenarios = names.map((name) => getScenario(name)!);
  // A replay runs the seed once per scenario and size given.
  const plans =
    options.seed === undefined
      ? [{ scenarios, nodes: options.nodes, firstSeed: options.firstSeed, seeds: options.seeds }]
      : scenarios.flatMap((scenario) =>
          options.nodes.map((n) => ({
            scenarios: [scenario],
            nodes: [n],
            firstSeed: options.seed!,
            seeds: 1,
          })),
        );
  const report: RunReport = { runs: 0, failures: [], metrics: new Map(), elapsedMs: 0 };
  for (const plan of plans) {
    const part = await runPlan(plan, (done, total) => {
      if (done % 1000 === 0) console.error(`${done}/${total} runs`);
    });
    report.runs += part.runs;
    report.failures.push(...part.failures);
    report.elapsedMs += part.elapsedMs;
    for (const [key, values] of part.metrics)
      report.metrics.set(key, [...(report.metrics.get(key) ?? []), ...values]);
  }
  printReport(report, options.markdown ?? false);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

await main(process.argv);
