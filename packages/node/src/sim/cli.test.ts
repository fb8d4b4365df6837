import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

function sim(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pnpm sim', () => {
  it('replays one seed of one scenario and size, printing its measurement', () => {
    const { status, stdout } = sim('--seed', '7', '--nodes', '3', '--scenario', 'membership-leave');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^membership-leave leavePeriods \(n=3\) +runs 1 /m);
    expect(stdout).toMatch(/^1 passed, 0 failed/m);
  });

  it('lists the scenarios and refuses unknown ones with exit status 2', () => {
    expect(sim('--list').stdout).toMatch(/^membership-crash /m);
    const unknown = sim('--scenario', 'nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario nope/);
  });
});
