/**
 * The client commands of SPEC 1 run as real child processes (`ringkv <command>` through tsx) against a
 * real node: stdout is the result as one line of JSON (or `--pretty` text), stderr one line
 * `CODE: message` on errors, exit status 0 success, 1 an error from the cluster, 2 usage.
 * Every command runs at least once here; the finer cases (--help on each command, the line printed for
 * every SPEC code) run in-process in src/cli/client-commands.test.ts, since each process start is costly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  pickFreePort,
  spawnRingkv,
  startNodeProcess,
  stopAllNodeProcesses,
} from './helpers/node-process.js';

const portRange: [number, number] = [22000, 22099];
let node: NodeProcess;
let guarded: NodeProcess;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ringkv(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawnRingkv(args, { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** `ringkv ARGS --url <the node>`. */
function cli(...args: string[]): Promise<Run> {
  return ringkv([...args, '--url', node.url]);
}

/** Exit 0, nothing on stderr, one line of JSON on stdout: returns it parsed. */
function json(run: Run): unknown {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout);
}

/** The exit status, nothing on stdout, and exactly one line on stderr matching `line`. */
function expectError(run: Run, code: number, line: RegExp): void {
  expect(run.code, `${run.stdout} ${run.stderr}`).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(line);
}

beforeAll(async () => {
  [node, guarded] = await Promise.all([
    startNodeProcess({ portRange, args: ['--memory', '--vnodes', '16'] }),
    startNodeProcess({ portRange, token: 's3cret', args: ['--memory', '--vnodes', '16'] }),
  ]);
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

// Each case is a process start; on a loaded 2-core machine one can take many seconds.
describe('ringkv client commands as processes', { timeout: 240_000 }, () => {
  it('create, read, update and delete print records as JSON and exit 0', async () => {
    const [created, text] = await Promise.all([
      cli('create', 'user:42', '{"name":"Ada"}', '--consistency', 'all'),
      cli('create', 'greeting', 'hello world'),
    ]);
    const record = json(created) as { version: number };
    expect(record).toEqual({ key: 'user:42', value: { name: 'Ada' }, version: expect.any(Number) });
    // A VALUE that is not valid JSON is taken as a string.
    expect(json(text)).toMatchObject({ key: 'greeting', value: 'hello world' });

    const [read, updated] = await Promise.all([cli('read', 'user:42'), cli('update', 'greeting', '[1,2,3]')]);
    expect(json(read)).toEqual(record);
    expect(json(updated)).toMatchObject({ key: 'greeting', value: [1, 2, 3] });

    const [deleted, pretty] = await Promise.all([
      cli('delete', 'user:42'),
      cli('read', 'greeting', '--pretty'),
    ]);
    expect(json(deleted)).toEqual({ key: 'user:42', deleted: true });
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^key +greeting\nvalue +\[1,2,3\]\nversion +\d+\n$/);
  });

  it('get-node, nodes and ring print the cluster views; --pretty prints a table', async () => {
    const [owner, nodes, ring, table] = await Promise.all([
      cli('get-node', 'user:42'),
      cli('nodes'),
      cli('ring'),
      cli('nodes', '--pretty'),
    ]);
    expect(json(owner)).toEqual({ key: 'user:42', node: node.address, replicas: [node.address] });
    expect(json(nodes)).toEqual({ nodes: [expect.objectContaining({ id: node.address, status: 'alive' })] });
    expect(json(ring)).toMatchObject({ vnodes: 16, replicationFactor: 3 });
    expect((json(ring) as { tokens: unknown[] }).tokens).toHaveLength(16);
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(/^NODE +STATUS +KEYS +BYTES$/);
    expect(row).toMatch(new RegExp(`^${node.address.replaceAll('.', '\\.')} +alive +\\d+ +\\d+$`));
  });

  it('errors from the node exit 1 with one line CODE: message on stderr', async () => {
    const closedPort = await pickFreePort(portRange);
    const [exists, missing, unreachable, notMember, last, down, noToken] = await Promise.all([
      cli('create', 'user:42', '1').then(() => cli('create', 'user:42', '2')),
      cli('read', 'nope'),
      cli('add-node', `127.0.0.1:${closedPort}`),
      cli('remove-node', `127.0.0.1:${closedPort}`),
      cli('remove-node', node.address),
      ringkv(['read', 'k', '--url', `http://127.0.0.1:${closedPort}`]),
      ringkv(['nodes', '--url', guarded.url]),
    ]);
    expectError(exists, 1, /^KEY_EXISTS: key "user:42" already exists/);
    expectError(missing, 1, /^KEY_NOT_FOUND: key "nope" does not exist$/);
    expectError(unreachable, 1, /^NODE_UNREACHABLE: /);
    expectError(notMember, 1, /^NODE_NOT_FOUND: /);
    expectError(last, 1, /^CONFLICT: /);
    expectError(
      down,
      1,
      new RegExp(`^UNAVAILABLE: cannot reach http://127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED$`),
    );
    expectError(noToken, 1, /^UNAUTHORIZED: /);
  });

  it('reads --url and --token from RINGKV_URL and RINGKV_TOKEN', async () => {
    const run = await ringkv(['nodes'], { RINGKV_URL: guarded.url, RINGKV_TOKEN: 's3cret' });
    expect(json(run)).toEqual({ nodes: [expect.objectContaining({ id: guarded.address })] });
  });

  it('bad arguments are usage errors: exit 2 and one line, before anything is sent', async () => {
    const [emptyKey, bareNode, badLevel] = await Promise.all([
      cli('read', ''),
      cli('add-node', 'node1'),
      cli('read', 'k', '--consistency', 'most'),
    ]);
    expectError(emptyKey, 2, /^BAD_REQUEST: key must not be empty$/);
    expectError(bareNode, 2, /^BAD_REQUEST: node: a node is a running process addressed as HOST:PORT/);
    // commander adds a hint line after its own messages.
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr.split('\n')[0]).toMatch(
      /argument 'most' is invalid. Allowed choices are one, quorum, all/,
    );
  });
});

// Last: it changes the first node's membership, which the cases above read.
describe('ringkv add-node and remove-node as processes', { timeout: 240_000 }, () => {
  it('admit a running node and decommission it, printing JSON and --pretty text', async () => {
    const extra = await startNodeProcess({ portRange, args: ['--memory', '--vnodes', '16'] });
    const added = await cli('add-node', extra.address);
    expect(json(added)).toEqual({
      node: extra.address,
      nodes: expect.arrayContaining([node.address, extra.address]),
    });
    const removed = await cli('remove-node', extra.address, '--pretty');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(
      `${extra.address} is leaving: its data streams to the new owners, then it leaves\n`,
    );
  });
});
