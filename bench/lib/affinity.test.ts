import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { affinityOf, parseAffinityList, pinningAvailable, withPinnedCpus } from './affinity.js';
import { startProcess, stopProcess } from './processes.js';

describe('parseAffinityList', () => {
  it("reads taskset's list from its current and new affinity lines", () => {
    expect(parseAffinityList("pid 5642's current affinity list: 0,1\n")).toBe('0,1');
    expect(parseAffinityList("pid 7's new affinity list: 0-3")).toBe('0-3');
    expect(() => parseAffinityList('taskset: failed to get pid 9 affinity')).toThrow(/cannot read/);
  });
});

describe.runIf(pinningAvailable())('withPinnedCpus', () => {
  it('moves this process and a server to their cores for the work only, then back', async () => {
    const server = startProcess('sleeper', 'sleep', ['30'], { logFile: '/tmp/ringkv-affinity-test.log' });
    try {
      const ownBefore = affinityOf(process.pid);
      const serverBefore = affinityOf(server.pid);
      const during = await withPinnedCpus([server.pid], { generatorCpus: '0', serverCpus: '1' }, async () => [
        affinityOf(process.pid),
        affinityOf(server.pid),
        // Every thread moves, not only the main one.
        execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' }),
      ]);
      expect(during.slice(0, 2)).toEqual(['0', '1']);
      expect(affinityOf(process.pid)).toBe(ownBefore);
      expect(affinityOf(server.pid)).toBe(serverBefore);
    } finally {
      await stopProcess(server);
    }
  });

  it('puts the cores back when the work throws', async () => {
    const before = affinityOf(process.pid);
    await expect(
      withPinnedCpus([], { generatorCpus: '1', serverCpus: '0' }, async () => {
        throw new Error('cell failed');
      }),
    ).rejects.toThrow('cell failed');
    expect(affinityOf(process.pid)).toBe(before);
  });
});
