/**
 * The `ringkv` command (SPEC section 1). Each group of subcommands registers itself from its own module;
 * exit status: 0 success, 1 an error from the cluster, 2 usage.
 */
import { Command, CommanderError } from 'commander';
import { registerClientCommands } from './cli/client-commands.js';
import { registerClusterCommand } from './cli/cluster-command.js';
import { registerNodeCommand } from './cli/node-command.js';
import { registerToolCommands } from './cli/tool-commands.js';

export function buildProgram(): Command {
  const program = new Command('ringkv')
    .description('ringkv: a decentralized key-value store on a consistent-hash ring')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerNodeCommand(program);
  registerClusterCommand(program);
  registerClientCommands(program);
  registerToolCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse failure is a usage error.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    throw error;
  }
}

await main(process.argv);
