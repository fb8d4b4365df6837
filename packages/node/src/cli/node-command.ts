/**
 * `ringkv node` (SPEC section 1): flags and environment -> NodeConfig -> startNode, then a graceful stop on
 * SIGINT or SIGTERM. Bad options exit with status 2 and one line on stderr; a node that cannot start
 * (port in use, unreadable data directory) exits with status 1. Logs are JSON lines on stdout; the few
 * lines meant for a person (where the node serves, why it stopped) go to stderr.
 */
import { limits } from '@ringkv/protocol';
import { type Command, Option } from 'commander';
import { ConfigError, nodeOptions, parseNodeConfig, type RawOptions } from '../config.js';
import type { RunningNode } from '../main.js';

const envHelp = `
Every flag also reads an environment variable; a flag wins over its variable:
${nodeOptions.map((spec) => `  ${spec.env.padEnd(30)} ${spec.flag.split(' ')[0]}`).join('\n')}

Without --data or --memory, data is kept on disk under ./data/PORT.`;

/** Exit statuses of SPEC section 1. */
const exitUsage = 2;
const exitFailure = 1;

export function registerNodeCommand(program: Command): void {
  const command = program
    .command('node')
    .description('start one node (a cluster of one unless --join is given)')
    .addHelpText('after', envHelp);
  for (const spec of nodeOptions) command.addOption(new Option(spec.flag, spec.help));
  command.action(async (flags: RawOptions) => {
    await runNode(flags);
  });
}

async function runNode(flags: RawOptions): Promise<void> {
  let config: ReturnType<typeof parseNodeConfig>;
  try {
    config = parseNodeConfig(flags, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ringkv node: ${error.message}\n`);
    process.exit(exitUsage);
  }
  let running: RunningNode;
  try {
    // Loaded only once the options are valid, so a usage error answers without loading the server.
    const { startNode } = await import('../main.js');
    running = await startNode(config);
  } catch (error) {
    process.stderr.write(`ringkv node: cannot start ${config.nodeId}: ${(error as Error).message}\n`);
    process.exit(exitFailure);
  }
  process.stderr.write(
    `ringkv node ${config.nodeId} serving: dashboard ${running.url}/ , API docs ${running.url}/docs\n`,
  );
  stopOnSignals(running);
}

function stopOnSignals(running: RunningNode): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now": skip the rest of the drain.
      process.stderr.write(`ringkv node: ${signal} again, exiting without finishing the drain\n`);
      process.exit(exitFailure);
    }
    stopping = true;
    process.stderr.write(`ringkv node: ${signal}, draining\n`);
    // The drain is bounded (limits.shutdownDrainMsMax per stage); this is the backstop if a stage hangs.
    setTimeout(() => {
      process.stderr.write('ringkv node: the drain did not finish in time, exiting\n');
      process.exit(exitFailure);
    }, 4 * limits.shutdownDrainMsMax).unref();
    running.close().then(
      () => {
        process.stderr.write('ringkv node: stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`ringkv node: error while stopping: ${(error as Error).message}\n`);
        process.exit(exitFailure);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
