/**
 * The client commands of SPEC 1 (`create`, `read`, `update`, `delete`, `get-node`, `add-node`,
 * `remove-node`, `nodes`, `ring`). Each makes one HTTP call to the node at `--url`, which forwards to the
 * key's coordinator; a one-shot command gains nothing from a WebSocket. Output: the result as one line of
 * JSON on stdout, or `--pretty` text; errors as one line on stderr (see common.ts for exit statuses).
 */
import { HttpClient } from '@ringkv/client';
import {
  type Consistency,
  checkKey,
  checkNodeAddress,
  consistencyLevels,
  encodeValue,
} from '@ringkv/protocol';
import { type Command, Option } from 'commander';
import {
  addConnectionOptions,
  type ConnectionFlags,
  checkInput,
  parseValue,
  runCommand,
  writeJson,
} from './common.js';
import {
  formatAddNode,
  formatDelete,
  formatGetNode,
  formatNodes,
  formatRecord,
  formatRemoveNode,
  formatRing,
} from './format.js';

interface ClientFlags extends ConnectionFlags {
  consistency?: Consistency;
}

interface CommandSpec<A extends unknown[], T> {
  name: string;
  description: string;
  /** Data operations take --consistency. */
  data?: boolean;
  /** Validates and converts the positional arguments; a failure is a usage error (exit 2). */
  check: (args: string[]) => A;
  send: (client: HttpClient, args: A) => Promise<T>;
  pretty: (result: T) => string;
}

function define<A extends unknown[], T>(program: Command, spec: CommandSpec<A, T>): void {
  const command = program.command(spec.name).description(spec.description);
  if (spec.data) {
    command.addOption(
      new Option('--consistency <level>', 'replicas that must answer (default: the node default, quorum)')
        .choices(consistencyLevels)
        .env('RINGKV_CONSISTENCY'),
    );
  }
  addConnectionOptions(command);
  command.action(async (...received: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command itself.
    const flags = received[received.length - 2] as ClientFlags;
    const args = received.slice(0, -2) as string[];
    await runCommand(async () => {
      const checked = checkInput(() => spec.check(args));
      const client = new HttpClient(flags.url, {
        ...(flags.token === undefined ? {} : { token: flags.token }),
        ...(flags.consistency === undefined ? {} : { consistency: flags.consistency }),
        ...(flags.timeout === undefined ? {} : { requestTimeoutMs: flags.timeout }),
      });
      const result = await spec.send(client, checked);
      if (flags.pretty) process.stdout.write(`${spec.pretty(result)}\n`);
      else writeJson(result);
    });
  });
}

const keyArgument = ([key]: string[]): [string] => [checkKey(key)];
const noArguments = (): [] => [];
const keyValueArguments = ([key, text]: string[]): [string, unknown] => {
  const value = parseValue(text!);
  encodeValue(value);
  return [checkKey(key), value];
};
const nodeArgument = ([node]: string[]): [string] => [checkNodeAddress(node)];

export function registerClientCommands(program: Command): void {
  define(program, {
    name: 'create <key> <value>',
    description: 'create KEY with VALUE (JSON when it parses as JSON, else a string); fails if KEY exists',
    data: true,
    check: keyValueArguments,
    send: (client, [key, value]) => client.create(key, value),
    pretty: formatRecord,
  });
  define(program, {
    name: 'read <key>',
    description: 'read the value and version of KEY',
    data: true,
    check: keyArgument,
    send: (client, [key]) => client.read(key),
    pretty: formatRecord,
  });
  define(program, {
    name: 'update <key> <value>',
    description: 'replace the value of an existing KEY',
    data: true,
    check: keyValueArguments,
    send: (client, [key, value]) => client.update(key, value),
    pretty: formatRecord,
  });
  define(program, {
    name: 'delete <key>',
    description: 'delete KEY',
    data: true,
    check: keyArgument,
    send: (client, [key]) => client.delete(key),
    pretty: formatDelete,
  });
  define(program, {
    name: 'get-node <key>',
    description: 'the node that owns KEY and its replicas (the preference list, primary first)',
    check: keyArgument,
    send: (client, [key]) => client.getNode(key),
    pretty: formatGetNode,
  });
  define(program, {
    name: 'add-node <node>',
    description: 'admit the running node at HOST:PORT into the cluster',
    check: nodeArgument,
    send: (client, [node]) => client.addNode(node),
    pretty: formatAddNode,
  });
  define(program, {
    name: 'remove-node <node>',
    description: 'decommission HOST:PORT: its data streams to the new owners, then it leaves',
    check: nodeArgument,
    send: (client, [node]) => client.removeNode(node),
    pretty: formatRemoveNode,
  });
  define(program, {
    name: 'nodes',
    description: 'the members of the cluster with their status and key counts',
    check: noArguments,
    send: (client) => client.nodes(),
    pretty: formatNodes,
  });
  define(program, {
    name: 'ring',
    description: 'the token ring: epoch, vnodes, replication factor, and every token with its node',
    check: noArguments,
    send: (client) => client.ring(),
    pretty: formatRing,
  });
}
