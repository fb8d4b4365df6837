/** `ringkv cluster add` and `ringkv cluster list`: talk to a running launcher's control endpoint. */
import { RingKvError } from '@ringkv/client';
import { isErrorCode, limits } from '@ringkv/protocol';
import type { Command } from 'commander';
import { runCommand, writeJson } from './common.js';
import { table } from './table.js';

interface ControlFlags {
  basePort: number;
  controlPort?: number;
  pretty?: boolean;
}

interface NodeRow {
  id: string;
  pid: number | undefined;
  running: boolean;
}

/**
 * `add` and `list` read --base-port and --control-port from their parent `cluster` command (commander gives
 * an option to the first command that declares it), so they only declare --pretty themselves.
 */
export function addControlOptions(command: Command): Command {
  return command
    .option('--pretty', 'human-readable output instead of JSON')
    .configureHelp({ showGlobalOptions: true });
}

/** The flags of `cluster add|list`, merged with the parent's. */
export function controlFlags(command: Command): ControlFlags {
  return command.optsWithGlobals<ControlFlags>();
}

function controlUrl(flags: ControlFlags): string {
  return `http://127.0.0.1:${flags.controlPort ?? flags.basePort + limits.launcherControlPortOffset}`;
}

async function call(flags: ControlFlags, method: 'GET' | 'POST'): Promise<unknown> {
  const url = `${controlUrl(flags)}/nodes`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(limits.launcherNodeStartMsMax + 60_000),
    });
  } catch (cause) {
    const code = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    throw new RingKvError('UNAVAILABLE', `no launcher at ${url} (${code}); is \`ringkv cluster\` running?`);
  }
  const body = (await response.json()) as { error?: { code?: string; message?: string } };
  if (response.ok) return body;
  const code = body.error?.code;
  throw new RingKvError(
    isErrorCode(code) ? code : 'INTERNAL',
    body.error?.message ?? `HTTP ${response.status}`,
  );
}

export async function clusterAdd(flags: ControlFlags): Promise<void> {
  await runCommand(async () => {
    const result = (await call(flags, 'POST')) as { node: string; pid: number; result: { nodes: string[] } };
    if (!flags.pretty) return writeJson(result);
    process.stdout.write(
      `started ${result.node} (pid ${result.pid}); nodes: ${result.result.nodes.join(', ')}\n`,
    );
  });
}

export async function clusterList(flags: ControlFlags): Promise<void> {
  await runCommand(async () => {
    const result = (await call(flags, 'GET')) as { nodes: NodeRow[] };
    if (!flags.pretty) return writeJson(result);
    const rows = result.nodes.map((node) => [node.id, node.pid ?? '-', node.running ? 'running' : 'exited']);
    process.stdout.write(`${table(['NODE', 'PID', 'PROCESS'], rows)}\n`);
  });
}
