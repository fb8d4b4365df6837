import { describe, expect, it } from 'vitest';
import { type CpuProfile, selfTimeBySource, shortLocation, sourceOf, topSelfTime } from './cpu-profile.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
    { id: 2, callFrame: frame('decode', 'file:///work/main/packages/protocol/src/decode.ts', 9) },
    {
      id: 3,
      callFrame: frame(
        'receive',
        'file:///work/main/node_modules/.pnpm/ws@8.23.0/node_modules/ws/lib/receiver.js',
        99,
      ),
    },
    { id: 4, callFrame: frame('(idle)', '') },
  ],
  startTime: 0,
  endTime: 1000,
  samples: [2, 2, 3, 4, 2],
  timeDeltas: [100, 100, 200, 500, 100],
};

describe('cpu profile summaries', () => {
  it('sums self time per function, largest first, with percentages of the whole', () => {
    const top = topSelfTime(profile, 2);
    expect(top[0]).toMatchObject({ name: '(idle)', selfMs: 0.5 });
    expect(top[1]).toMatchObject({
      name: 'decode',
      where: 'packages/protocol/src/decode.ts:10',
      selfMs: 0.3,
    });
    expect(top[1]!.percent).toBeCloseTo(30);
  });

  it('buckets self time by package', () => {
    const buckets = Object.fromEntries(
      selfTimeBySource(profile).map((entry) => [entry.source, entry.selfMs]),
    );
    expect(buckets).toEqual({ '(idle)': 0.5, 'packages/protocol': 0.3, ws: 0.2 });
  });

  it('limits a summary to a time window', () => {
    // Samples end at 100, 200, 400, 900, 1000 us; the window keeps the 3rd and 4th.
    const top = topSelfTime(profile, 5, { startMicros: 300, endMicros: 900 });
    expect(top.map((entry) => [entry.name, entry.selfMs])).toEqual([
      ['(idle)', 0.5],
      ['receive', 0.2],
    ]);
  });

  it('names places and sources compactly', () => {
    expect(shortLocation('node:internal/streams/readable', 4)).toBe('node:internal/streams/readable:5');
    expect(sourceOf('node:internal/streams/readable')).toBe('node internals');
    expect(sourceOf('file:///x/node_modules/.pnpm/@fastify+x@1/node_modules/@fastify/static/index.js')).toBe(
      '@fastify/static',
    );
  });
});
