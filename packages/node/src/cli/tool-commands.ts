/**
 * `ringkv load` (bulk-load generated keys with a progress bar) and `ringkv bench` (a bounded mixed
 * read/write load with a live line of ops/s and latency). Both drive a ring-aware RingClient with a fixed
 * number of workers, each with one call outstanding, so `--concurrency` is the number of calls in flight.
 * Human output (progress, live line, summary) goes to stderr; the final JSON summary to stdout.
 */
import { consistencyLevels } from '@ringkv/protocol';
import { type Command, Option } from 'commander';
import { runBench } from './bench-runner.js';
import { addConnectionOptions, integerArgument, ratioArgument, runCommand } from './common.js';
import { runLoad } from './load-runner.js';
import type { WorkloadFlags } from './workload.js';

function addWorkloadOptions(command: Command): Command {
  addConnectionOptions(command);
  return command
    .addOption(
      new Option('--concurrency <n>', 'calls in flight at once')
        .argParser(integerArgument(1, 4096))
        .default(64),
    )
    .addOption(
      new Option('--value-bytes <n>', 'size of each generated value')
        .argParser(integerArgument(1, 1_000_000))
        .default(100),
    )
    .addOption(new Option('--prefix <text>', 'prefix of the generated keys').default('bench:'))
    .option('--no-ring-aware', "send every call to the --url nodes instead of each key's coordinator")
    .addOption(
      new Option('--consistency <level>', 'replicas that must answer')
        .choices(consistencyLevels)
        .env('RINGKV_CONSISTENCY'),
    );
}

export function registerToolCommands(program: Command): void {
  const load = program
    .command('load')
    .description('bulk-load generated keys (PREFIX0 .. PREFIXN-1), with a progress bar and a latency summary')
    .addOption(
      new Option('--keys <n>', 'how many keys to write')
        .argParser(integerArgument(1, 100_000_000))
        .makeOptionMandatory(),
    );
  addWorkloadOptions(load).action(async (flags: WorkloadFlags & { keys: number }) => {
    await runCommand(async () => {
      process.exitCode = await runLoad(flags);
    });
  });

  const bench = program
    .command('bench')
    .description(
      'a bounded mixed read/write load with a live line of ops/s and latency; JSON summary on stdout',
    )
    .addOption(new Option('--duration <s>', 'seconds to run').argParser(integerArgument(1, 3600)).default(10))
    .addOption(new Option('--read-ratio <r>', 'share of reads, 0 to 1').argParser(ratioArgument).default(0.9))
    .addOption(
      new Option('--keys <n>', 'size of the key space, written before the timed run')
        .argParser(integerArgument(1, 10_000_000))
        .default(1000),
    );
  addWorkloadOptions(bench).action(
    async (flags: WorkloadFlags & { duration: number; readRatio: number; keys: number }) => {
      await runCommand(async () => {
        process.exitCode = await runBench(flags);
      });
    },
  );
}
