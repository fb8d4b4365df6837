/**
 * Reads V8's `--trace-gc-nvp` lines (one `name=value` line per collection) and sums them up per kind:
 * how many young-generation collections (scavenges, `gc=s`) and full collections (mark-compact,
 * `gc=mc`), their pauses, and what survived a scavenge (copied within the young generation) or was
 * promoted to the old generation. Divided by the requests served meanwhile, these say how much each
 * request leaves alive: what makes scavenges slow and, promoted, what grows the old generation until a
 * major GC.
 */

export interface GcEvent {
  /** `s` (scavenge), `mc` (mark-compact), `mmc` (minor mark-compact) or whatever V8 printed. */
  kind: string;
  /** Milliseconds since the isolate started. */
  atMs: number;
  pauseMs: number;
  /** Bytes allocated since the previous collection. */
  allocatedBytes: number;
  /** Bytes promoted to the old generation by this collection. */
  promotedBytes: number;
  /** Bytes that survived in the young generation (copied, not promoted). */
  survivedBytes: number;
  /** Heap size (all spaces) after the collection. */
  heapAfterBytes: number;
}

const linePattern = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: pause=([\d.]+) .*\bgc=(\w+)\b/;

function field(line: string, name: string): number {
  const match = new RegExp(`\\b${name}=(-?[\\d.]+)`).exec(line);
  return match ? Number(match[1]) : 0;
}

/** The collections in a log; lines that are not `--trace-gc-nvp` output are skipped. */
export function parseGcTrace(text: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of text.split('\n')) {
    const match = linePattern.exec(line);
    if (!match) continue;
    events.push({
      kind: match[3]!,
      atMs: Number(match[1]),
      pauseMs: Number(match[2]),
      allocatedBytes: field(line, 'allocated'),
      promotedBytes: field(line, 'promoted'),
      survivedBytes: field(line, 'new_space_survived'),
      heapAfterBytes: field(line, 'total_size_after'),
    });
  }
  return events;
}

export interface GcKindSummary {
  count: number;
  pauseTotalMs: number;
  pauseMedianMs: number;
  pauseMaxMs: number;
  /** Means per collection, in bytes. */
  promotedMeanBytes: number;
  survivedMeanBytes: number;
}

export interface GcSummary {
  scavenge: GcKindSummary;
  markCompact: GcKindSummary;
  /** Promoted bytes in the window divided by the requests served in it. */
  promotedPerRequestBytes: number;
  /** Young-generation survivors (copied plus promoted) per request: what every scavenge had to copy. */
  survivedPerRequestBytes: number;
  /** Old-generation growth: heap size after the last collection minus after the first, per request. */
  heapGrowthPerRequestBytes: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function summarizeKind(events: GcEvent[]): GcKindSummary {
  const pauses = events.map((event) => event.pauseMs);
  const mean = (pick: (event: GcEvent) => number) =>
    events.length === 0 ? 0 : events.reduce((sum, event) => sum + pick(event), 0) / events.length;
  return {
    count: events.length,
    pauseTotalMs: pauses.reduce((sum, pause) => sum + pause, 0),
    pauseMedianMs: median(pauses),
    pauseMaxMs: Math.max(0, ...pauses),
    promotedMeanBytes: mean((event) => event.promotedBytes),
    survivedMeanBytes: mean((event) => event.survivedBytes),
  };
}

/** The collections between `fromMs` and `toMs` (isolate time), per request served in that window. */
export function summarizeGc(events: GcEvent[], fromMs: number, toMs: number, requests: number): GcSummary {
  const inside = events.filter((event) => event.atMs >= fromMs && event.atMs <= toMs);
  const scavenges = inside.filter((event) => event.kind === 's');
  const perRequest = (bytes: number) => (requests > 0 ? bytes / requests : 0);
  const first = inside[0];
  const last = inside[inside.length - 1];
  return {
    scavenge: summarizeKind(scavenges),
    markCompact: summarizeKind(inside.filter((event) => event.kind === 'mc')),
    promotedPerRequestBytes: perRequest(scavenges.reduce((sum, event) => sum + event.promotedBytes, 0)),
    survivedPerRequestBytes: perRequest(
      scavenges.reduce((sum, event) => sum + event.promotedBytes + event.survivedBytes, 0),
    ),
    heapGrowthPerRequestBytes: first && last ? perRequest(last.heapAfterBytes - first.heapAfterBytes) : 0,
  };
}
