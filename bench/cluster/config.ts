/** Command-line options of `pnpm bench:cluster`, defaults merged once, then validated. */
import { parseArgs } from 'node:util';
import { type SendSchedule, sendSchedules } from '../lib/open-loop.js';

export const targetNames = ['echo', 'ringkv-1', 'ringkv-3-rf1', 'ringkv-3-rf3', 'redis'] as const;
export type TargetName = (typeof targetNames)[number];

/** The cells run per target: protocol shapes, the open-loop half-peak runs, the app-level runs. */
export const shapeNames = ['depth1', 'depth16', 'batch100', 'half', 'app'] as const;
export type ShapeName = (typeof shapeNames)[number];

export interface ClusterBenchConfig {
  cellMs: number;
  /**
   * Length of the open-loop half-peak cells, longer than the others: a node's major GC comes every 10-30
   * s at half peak, and a cell must be long enough for it to weigh in the p99 as often as it happens.
   */
  halfCellMs: number;
  /**
   * Pin the load generator and the server to different cores (taskset) in half-peak cells whose target is
   * one server process, so the p99 is the server's and not two processes sharing two cores.
   */
  pinHalfPeak: boolean;
  /**
   * Offer this rate in the protocol-level half-peak cells instead of half the depth-1 rate (A/B runs of
   * the same offered load on a machine whose depth-1 rate swings between runs); depth 1 is then not run.
   */
  halfRate?: number;
  /**
   * The protocol-level half-peak generator: `process` (bench/lib/open-loop.ts in its own process) or `ws`
   * (bench/lib/ws-load.ts in this process, the generator of every cell before 2026-11-27 19:00), and the
   * process generator's send schedule (`paced`: each request at its time; `interval`: a 1 ms timer).
   */
  halfGenerator: 'process' | 'ws';
  halfSchedule: SendSchedule;
  warmupMs: number;
  keys: number;
  connections: number;
  readFraction: number;
  appWorkers: number[];
  targets: TargetName[];
  /** Which cells to run (all by default); a partial run is for A/B comparisons during development. */
  shapes: ShapeName[];
  writeMarkdown: boolean;
  /** Extra node flags for every ringkv process (e.g. `--cpu-prof`); used by the profiling run. */
  nodeFlags: string[];
}

export function parseConfig(argv: string[]): ClusterBenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cell-seconds': { type: 'string', default: '5' },
      'half-seconds': { type: 'string', default: '20' },
      'no-pin': { type: 'boolean', default: false },
      'half-rate': { type: 'string' },
      'half-generator': { type: 'string', default: 'process' },
      'half-schedule': { type: 'string', default: 'paced' },
      'warmup-seconds': { type: 'string', default: '1' },
      keys: { type: 'string', default: '100000' },
      connections: { type: 'string', default: '50' },
      workers: { type: 'string', default: '50,1000' },
      targets: { type: 'string', default: targetNames.join(',') },
      shapes: { type: 'string', default: shapeNames.join(',') },
      'no-write': { type: 'boolean', default: false },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const number = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max}, got ${text}`);
    }
    return value;
  };
  const targets = values.targets.split(',').map((name) => name.trim());
  for (const name of targets) {
    if (!(targetNames as readonly string[]).includes(name)) {
      throw new Error(`--targets: unknown target ${name}; known: ${targetNames.join(', ')}`);
    }
  }
  const shapes = values.shapes.split(',').map((name) => name.trim());
  for (const name of shapes) {
    if (!(shapeNames as readonly string[]).includes(name)) {
      throw new Error(`--shapes: unknown shape ${name}; known: ${shapeNames.join(', ')}`);
    }
  }
  const halfGenerator = values['half-generator'];
  if (halfGenerator !== 'process' && halfGenerator !== 'ws') {
    throw new Error(`--half-generator must be process or ws, got ${halfGenerator}`);
  }
  const halfSchedule = values['half-schedule'] as SendSchedule;
  if (!sendSchedules.includes(halfSchedule)) {
    throw new Error(`--half-schedule must be one of ${sendSchedules.join(', ')}, got ${halfSchedule}`);
  }
  return {
    halfGenerator,
    halfSchedule,
    cellMs: number('cell-seconds', values['cell-seconds'], 0.5, 60) * 1000,
    halfCellMs: number('half-seconds', values['half-seconds'], 0.5, 120) * 1000,
    pinHalfPeak: !values['no-pin'],
    halfRate:
      values['half-rate'] === undefined
        ? undefined
        : number('half-rate', values['half-rate'], 100, 1_000_000),
    warmupMs: number('warmup-seconds', values['warmup-seconds'], 0, 10) * 1000,
    keys: number('keys', values.keys, 1_000, 10_000_000),
    connections: number('connections', values.connections, 1, 1_000),
    readFraction: 0.9,
    appWorkers: values.workers.split(',').map((text) => number('workers', text, 1, 10_000)),
    targets: targets as TargetName[],
    shapes: shapes as ShapeName[],
    writeMarkdown: !values['no-write'],
    nodeFlags: values['node-flag'],
  };
}
