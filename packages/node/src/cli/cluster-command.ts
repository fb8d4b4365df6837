/**
 * `ringkv cluster --nodes N [--base-port 7001] [--data DIR | --memory]` runs a local cluster in the
 * foreground (what `pnpm start` runs) until Ctrl-C or SIGTERM, then stops every node gracefully and exits
 * 0 when all stopped cleanly. `ringkv cluster add` asks that running launcher for one more node.
 */
import { resolve } from 'node:path';
import { limits } from '@ringkv/protocol';
import { type Command, Option } from 'commander';
import { ControlServer } from '../launcher/control-server.js';
import { Launcher, type LauncherConfig } from '../launcher/launcher.js';
import { addControlOptions, clusterAdd, clusterList, controlFlags } from './cluster-control.js';
import { integerArgument } from './common.js';

interface ClusterFlags {
  nodes: number;
  basePort: number;
  data: string;
  memory?: boolean;
  controlPort?: number;
  token?: string;
  clusterSecret?: string;
}

export function registerClusterCommand(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('start N local nodes joined into one cluster, in the foreground (what `pnpm start` runs)')
    .addOption(
      new Option('--nodes <n>', 'nodes to start')
        .argParser(integerArgument(1, limits.launcherNodesMax))
        .default(3),
    )
    .addOption(
      new Option('--base-port <port>', 'port of the first node; the others follow')
        .argParser(integerArgument(1, 65_000))
        .default(7001),
    )
    .addOption(
      new Option('--data <dir>', 'keep node data under DIR/PORT').default('./data').conflicts('memory'),
    )
    .addOption(new Option('--memory', 'keep data in memory only (lost on exit)'))
    .addOption(
      new Option(
        '--control-port <port>',
        'port of the launcher control endpoint (default base port + 1000)',
      ).argParser(integerArgument(1, 65_535)),
    )
    .addOption(new Option('--token <token>', 'token every node requires from clients').env('RINGKV_TOKEN'))
    .addOption(
      new Option('--cluster-secret <secret>', 'secret the nodes prove to each other').env(
        'RINGKV_CLUSTER_SECRET',
      ),
    )
    .action(async (flags: ClusterFlags) => {
      process.exitCode = await runCluster(flags);
    });
  const add = cluster
    .command('add')
    .description('ask the running `ringkv cluster` to start one more local node and admit it (add_node)');
  addControlOptions(add).action(async (_flags, command: Command) => clusterAdd(controlFlags(command)));
  const list = cluster.command('list').description('the node processes of the running `ringkv cluster`');
  addControlOptions(list).action(async (_flags, command: Command) => clusterList(controlFlags(command)));
}

async function runCluster(flags: ClusterFlags): Promise<number> {
  const config: LauncherConfig = {
    nodes: flags.nodes,
    basePort: flags.basePort,
    host: '127.0.0.1',
    dataDir: flags.memory ? undefined : resolve(flags.data),
    controlPort: flags.controlPort ?? flags.basePort + limits.launcherControlPortOffset,
    token: flags.token,
    extraArgs: [
      ...(flags.token === undefined ? [] : ['--token', flags.token]),
      ...(flags.clusterSecret === undefined ? [] : ['--cluster-secret', flags.clusterSecret]),
    ],
  };
  const output = {
    info: (line: string) => process.stdout.write(`${line}\n`),
    alert: (line: string) => process.stderr.write(`${line}\n`),
  };
  const launcher = new Launcher(config, output);
  let control: ControlServer;
  try {
    // The control port first: if another launcher holds it, fail before starting any node.
    control = await ControlServer.listen(launcher, config.controlPort);
  } catch (error) {
    output.alert(
      `ringkv cluster: cannot listen on 127.0.0.1:${config.controlPort}: ${(error as Error).message}`,
    );
    return 1;
  }
  process.on('exit', () => launcher.killAll());
  let signalled = false;
  const stopped = stopOnSignals(launcher, output, () => {
    signalled = true;
  });
  try {
    output.info(`ringkv cluster: starting ${config.nodes} nodes from port ${config.basePort} ...`);
    await launcher.start();
  } catch (error) {
    await control.close();
    if (signalled) {
      // Ctrl-C during start-up: the nodes already started were stopped like any other time.
      return (await stopped) === 'clean' ? 0 : 1;
    }
    output.alert(`ringkv cluster: could not start: ${(error as Error).message}`);
    return 1;
  }
  output.info(banner(launcher, control.url));
  const outcome = await Promise.race([stopped, launcher.everyNodeDied.then(() => 'died' as const)]);
  await control.close();
  if (outcome === 'died') {
    output.alert('ringkv cluster: every node has stopped; exiting');
    return 1;
  }
  return outcome === 'clean' ? 0 : 1;
}

/** Ctrl-C or SIGTERM: one graceful stop of every node; repeats while stopping are noted and ignored. */
function stopOnSignals(
  launcher: Launcher,
  output: { info(line: string): void },
  onSignal: () => void,
): Promise<'clean' | 'unclean'> {
  return new Promise((resolvePromise) => {
    let stopping = false;
    const handle = (signal: NodeJS.Signals) => {
      onSignal();
      if (stopping) {
        output.info(`ringkv cluster: ${signal} again; still stopping the nodes`);
        return;
      }
      stopping = true;
      output.info(`ringkv cluster: ${signal}, stopping every node ...`);
      launcher.stop().then((clean) => {
        output.info(clean ? 'ringkv cluster: stopped' : 'ringkv cluster: stopped, not cleanly (see above)');
        resolvePromise(clean ? 'clean' : 'unclean');
      });
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  });
}

function banner(launcher: Launcher, controlUrl: string): string {
  const nodes = launcher.nodes();
  const first = nodes[0]!;
  const width = Math.max(...nodes.map((node) => node.url.length));
  return [
    '',
    `ringkv: ${nodes.length} nodes up`,
    ...nodes.map(
      (node) =>
        `  ${node.url.padEnd(width)}  pid ${node.pid}  ${node.dataDir === undefined ? 'in memory' : `data ${node.dataDir}`}`,
    ),
    `  dashboard   ${first.url}/`,
    `  API docs    ${first.url}/docs`,
    `  logs        ${launcher.logDir}`,
    `  add a node  ringkv cluster add${launcher.config.basePort === 7001 ? '' : ` --base-port ${launcher.config.basePort}`}  (control ${controlUrl})`,
    'Ctrl-C stops the cluster.',
    '',
  ].join('\n');
}
