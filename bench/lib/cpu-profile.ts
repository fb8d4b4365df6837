/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and sums self time per function and per
 * source (our packages, a dependency, or Node's internals), for the profiling notes in docs/PERFORMANCE.md.
 * The same file opens as a flame graph in Chrome DevTools or https://www.speedscope.app.
 */

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** A short place name: `packages/node/src/io/ws-api.ts:41`, `ws/lib/receiver.js:120`, `node:internal/...`. */
export function shortLocation(url: string, lineNumber: number): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+\/.*)$/.exec(path);
  const ours = /\/((?:packages|bench)\/.*)$/.exec(path);
  const place = dependency?.[1] ?? ours?.[1] ?? path;
  // Sources run through tsx report line 0 for every function: the file alone is the honest place.
  return lineNumber === 0 && place.endsWith('.ts') ? place : `${place}:${lineNumber + 1}`;
}

/** Which bucket a frame's time belongs to: one of our packages, a dependency by name, or node internals. */
export function sourceOf(url: string): string {
  if (url === '') return '(native / gc / idle)';
  if (url.startsWith('node:')) return 'node internals';
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency?.[1]) return dependency[1];
  const ours = /\/(packages\/[^/]+)\//.exec(url);
  return ours?.[1] ?? url;
}

/** Sample timestamps are in V8's monotonic clock, microseconds; a window limits a summary to a load phase. */
export interface TimeWindow {
  startMicros: number;
  endMicros: number;
}

function selfMicrosByNode(profile: CpuProfile, window?: TimeWindow): Map<number, number> {
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.startMicros || at > window.endMicros)) continue;
    const id = profile.samples[index]!;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  }
  return selfMicros;
}

function totalMicros(selfMicros: Map<number, number>): number {
  let total = 0;
  for (const micros of selfMicros.values()) total += micros;
  return total || 1;
}

/** Self time per function (same name and place summed), largest first. */
export function topSelfTime(profile: CpuProfile, limit: number, window?: TimeWindow): SelfTime[] {
  const byFunction = new Map<string, SelfTime>();
  const selfMicros = selfMicrosByNode(profile, window);
  const total = totalMicros(selfMicros);
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = shortLocation(url, lineNumber);
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0, percent: 0 };
    entry.selfMs += micros / 1000;
    entry.percent = (entry.selfMs * 1000 * 100) / total;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, limit);
}

/** Self time per source bucket, largest first. */
export function selfTimeBySource(
  profile: CpuProfile,
  window?: TimeWindow,
): Array<{ source: string; selfMs: number; percent: number }> {
  const bySource = new Map<string, number>();
  const selfMicros = selfMicrosByNode(profile, window);
  const total = totalMicros(selfMicros);
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const source = node.callFrame.functionName === '(idle)' ? '(idle)' : sourceOf(node.callFrame.url);
    bySource.set(source, (bySource.get(source) ?? 0) + micros);
  }
  return [...bySource.entries()]
    .map(([source, micros]) => ({ source, selfMs: micros / 1000, percent: (micros * 100) / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
