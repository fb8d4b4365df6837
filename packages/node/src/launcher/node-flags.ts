/**
 * V8 flags every ringkv node process is started with (by `ringkv cluster`'s launcher, by the `ringkv` bin
 * wrapper and by the benchmarks). Keep `packages/node/bin/ringkv.mjs`, which cannot import TypeScript, in
 * step with this list.
 *
 * `--max-semi-space-size=8` (MB; Node 20's default is 16): a node holding 100,000 keys under load spent
 * 5-15 ms per young-generation collection (scavenge) with 16 MB semi-spaces, about 3.5 a second at 9,000
 * ops/s, and those pauses were its p99. With 8 MB there are twice as many, each about half as long (2.5-3.5
 * ms), for the same or less total GC time, and the young generation's memory is halved. Measured at half
 * peak, 8 interleaved pairs (docs/PERFORMANCE.md): p99 lower in 7 of 8, median 9.7 -> 7.6 ms; throughput
 * at depth 16 and in batches of 100 within the noise.
 */
export const nodeV8Flags: readonly string[] = ['--max-semi-space-size=8'];
