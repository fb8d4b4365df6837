/**
 * V8 flags every ringkv node process is started with (by `ringkv cluster`'s launcher, by the `ringkv` bin
 * wrapper and by the benchmarks). Keep `packages/node/bin/ringkv.mjs`, which cannot import TypeScript, in
 * step with this list.
 *
 * `--max-semi-space-size=2` (MB; Node 20's default is 16): the young generation's collections (scavenges)
 * stop the node for a time that grows with what survives them, and what survives grows with the time
 * between them. At half peak (8,000 ops/s) a node holding 100,000 keys promotes about 500 bytes per request
 * whatever the semi-space size (`bench/cluster/gc-half-peak.ts`: 504 B with 2 MB, 500 with 8), so smaller
 * semi-spaces give more, shorter pauses for the same total: 2 MB, about 25 scavenges a second of 1.4-1.6 ms
 * (median) against 6 a second of 6.6-6.7 ms with 8 MB and 5-15 ms with 16 MB, GC time in total the same
 * (617-667 against 584-606 ms per 15 s). Measured at half peak, interleaved (docs/PERFORMANCE.md): p99
 * lower in 5 of 6 pairs against 8 MB, median 11.6 -> 7.6 ms; 1 MB doubled the total GC time and was not
 * better. The price is GC time at higher rates: at 13,000 ops/s no p99 gain (2 pairs) for 30-65% more GC
 * time, and in saturated cells about 7-11% fewer ops per server CPU-second in later pairs (14:36, depth 16
 * and batches of 100; the first three pairs were within the noise). 4 MB, between the two, is not yet
 * measured on a quiet machine. (16 -> 8 MB, the step before: p99 lower in 7 of 8 pairs, 9.7 -> 7.6 ms.)
 */
export const nodeV8Flags: readonly string[] = ['--max-semi-space-size=2'];
