/**
 * The server's side of a latency measurement, read from ringkv's `/metrics` before and after a cell:
 * its event-loop delay (prom-client's monitor, reset at each scrape, so the reading after the cell covers
 * the cell), its garbage-collection pauses (count, total and the largest bucket reached, by kind) and the
 * time from a decoded request to its answer (`ringkv_request_duration_seconds`, WebSocket). Beside the
 * client's p99 this says how much of the tail the server's own work and pauses explain.
 */

export interface ServerSample {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Cumulative GC pauses by kind (minor, major, incremental, weakcb). */
  gc: Record<string, { count: number; seconds: number }>;
  /** Cumulative request-duration buckets (upper bound in seconds -> count) of all ops over WebSocket. */
  requestBuckets: Map<number, number>;
}

export interface ServerDelays {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcPauses: number;
  gcTotalMs: number;
  majorGcPauses: number;
  majorGcTotalMs: number;
  /** The smallest bucket bound holding 99% of the cell's requests (decode to answer), in ms. */
  requestP99BoundMs: number | undefined;
}

/** prom-client's event-loop monitor runs a 10 ms timer and every sample it records includes that interval. */
const promClientLoopResolutionMs = 10;

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)$/;

function labelsOf(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const match of text.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

function loopDelayMs(seconds: number): number {
  return Math.max(0, seconds * 1000 - promClientLoopResolutionMs);
}

/** Reads the figures above from a Prometheus exposition text. */
export function parseServerSample(exposition: string): ServerSample {
  const sample: ServerSample = { loopDelayP99Ms: 0, loopDelayMaxMs: 0, gc: {}, requestBuckets: new Map() };
  for (const line of exposition.split('\n')) {
    const match = sampleLine.exec(line);
    if (!match) continue;
    const [, name, labelText, valueText] = match;
    const value = Number(valueText);
    const labels = labelsOf(labelText);
    if (name === 'nodejs_eventloop_lag_p99_seconds') sample.loopDelayP99Ms = loopDelayMs(value);
    else if (name === 'nodejs_eventloop_lag_max_seconds') sample.loopDelayMaxMs = loopDelayMs(value);
    else if (name === 'nodejs_gc_duration_seconds_count' || name === 'nodejs_gc_duration_seconds_sum') {
      const kind = labels.kind ?? 'unknown';
      const entry = sample.gc[kind] ?? { count: 0, seconds: 0 };
      sample.gc[kind] = entry;
      if (name.endsWith('_count')) entry.count = value;
      else entry.seconds = value;
    } else if (name === 'ringkv_request_duration_seconds_bucket' && labels.transport === 'ws') {
      const bound = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      sample.requestBuckets.set(bound, (sample.requestBuckets.get(bound) ?? 0) + value);
    }
  }
  return sample;
}

/** What happened between two samples (the loop delay is the later sample's: the monitor resets per scrape). */
export function serverDelaysBetween(before: ServerSample, after: ServerSample): ServerDelays {
  let gcPauses = 0;
  let gcSeconds = 0;
  for (const [kind, entry] of Object.entries(after.gc)) {
    gcPauses += entry.count - (before.gc[kind]?.count ?? 0);
    gcSeconds += entry.seconds - (before.gc[kind]?.seconds ?? 0);
  }
  const major = after.gc.major;
  const majorBefore = before.gc.major;
  return {
    loopDelayP99Ms: after.loopDelayP99Ms,
    loopDelayMaxMs: after.loopDelayMaxMs,
    gcPauses,
    gcTotalMs: gcSeconds * 1000,
    majorGcPauses: (major?.count ?? 0) - (majorBefore?.count ?? 0),
    majorGcTotalMs: ((major?.seconds ?? 0) - (majorBefore?.seconds ?? 0)) * 1000,
    requestP99BoundMs: bucketPercentileBoundMs(before.requestBuckets, after.requestBuckets, 0.99),
  };
}

function bucketPercentileBoundMs(
  before: Map<number, number>,
  after: Map<number, number>,
  fraction: number,
): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return undefined;
  for (const bound of bounds) {
    const cumulative = after.get(bound)! - (before.get(bound) ?? 0);
    if (cumulative >= total * fraction) return bound * 1000;
  }
  return undefined;
}

/** The values of unlabelled samples `names` in a Prometheus exposition text (absent ones left out). */
export function unlabelledValues(exposition: string, names: readonly string[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    const match = sampleLine.exec(line);
    if (match && match[2] === undefined && names.includes(match[1]!)) values.set(match[1]!, Number(match[3]));
  }
  return values;
}

/** One node's `/metrics` text. */
export async function scrapeText(address: string): Promise<string> {
  const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${address}/metrics: HTTP ${response.status}`);
  return response.text();
}

async function scrape(address: string): Promise<ServerSample> {
  return parseServerSample(await scrapeText(address));
}

/** Runs `work` between two scrapes of the first node's `/metrics` and returns what the node saw meanwhile. */
export async function withServerDelays<T>(
  address: string,
  work: () => Promise<T>,
): Promise<[T, ServerDelays]> {
  const before = await scrape(address);
  const result = await work();
  return [result, serverDelaysBetween(before, await scrape(address))];
}

export function describeServerDelays(delays: ServerDelays): string {
  const bound = delays.requestP99BoundMs;
  return (
    `server loop delay p99 ${delays.loopDelayP99Ms.toFixed(1)} max ${delays.loopDelayMaxMs.toFixed(1)} ms, ` +
    `GC ${delays.gcPauses} pauses ${delays.gcTotalMs.toFixed(0)} ms (major ${delays.majorGcPauses}, ` +
    `${delays.majorGcTotalMs.toFixed(0)} ms), request p99 <= ${bound === undefined ? '?' : bound} ms`
  );
}
