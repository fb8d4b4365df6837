/**
 * `ringkv node` as a command (SPEC section 1): bad flags and bad environment exit with status 2 and one
 * line naming the option; a node that cannot start exits 1; --help lists flags and variables.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pickFreePort, spawnRingkv, stopAllNodeProcesses } from './helpers/node-process.js';

afterAll(async () => {
  await stopAllNodeProcesses();
});

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawnRingkv(args, { env });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

// Each case spawns a process; on a loaded 2-core machine one start can take several seconds.
describe('ringkv node: usage errors exit 2 with a one-line reason', { timeout: 120_000 }, () => {
  it('names the option for every kind of bad flag or variable', async () => {
    // One case per path through the code (zod issue, cross-field rule, environment, commander); the
    // full list of rules is in src/config.test.ts.
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--port', 'abc'], {}, /--port: must be a whole number/],
      [['--write-quorum', '4', '--replication-factor', '3'], {}, /writeQuorum must be <= replicationFactor/],
      [[], { RINGKV_PORT: 'seven' }, /--port \(RINGKV_PORT\): must be a whole number/],
      [['--frobnicate'], {}, /unknown option '--frobnicate'/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => run(['node', ...args], env)));
    for (const [index, [args, env, pattern]] of cases.entries()) {
      const { code, stderr } = results[index]!;
      const label = `${JSON.stringify(args)} ${JSON.stringify(env)}: ${stderr}`;
      expect(code, label).toBe(2);
      expect(stderr.split('\n')[0], label).toMatch(pattern);
    }
  });
});

describe('ringkv node: other exits', { timeout: 120_000 }, () => {
  it('--help exits 0 and lists every flag with its environment variable', async () => {
    const { code, stdout } = await run(['node', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--port',
      '--advertise',
      '--data',
      '--memory',
      '--join',
      '--replication-factor',
      '--token',
      '--allow-origin',
      '--log-level',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('RINGKV_CLUSTER_SECRET');
    expect(stdout).toContain('./data/PORT');
  });

  it('exits 1 with the reason when the port is taken', async () => {
    const port = await pickFreePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const { code, stderr } = await run(['node', '--port', String(port), '--memory']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/cannot start .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
