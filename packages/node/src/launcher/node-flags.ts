/**
 * V8 flags every ringkv node process is started with (by `ringkv cluster`'s launcher, by the `ringkv` bin
 * wrapper and by the benchmarks). Keep `packages/node/bin/ringkv.mjs`, which cannot import TypeScript, in
 * step with this list.
 *
 * `--max-semi-space-size=8` (MB; Node 20's default is 16): the young generation's collections (scavenges)
 * stop the node for a time that grows with what survives them, and what survives grows with the time
 * between them. With 16 MB a node holding 100,000 keys paused 5-15 ms per scavenge, and those pauses were
 * its p99 at half peak; 8 MB halved each pause for the same total (p99 lower in 7 of 8 interleaved pairs,
 * 9.7 -> 7.6 ms median; docs/PERFORMANCE.md).
 *
 * 2 MB was tried (7fa2708) and taken back: at half peak on one node it gave shorter pauses (1.4-1.6 ms) and
 * a lower p99 in 5 of 6 pairs (11.6 -> 7.6 ms median), but each scavenge has a fixed cost on a 100,000-key
 * heap, and four times as many of them cost throughput everywhere else: interleaved rounds of 3 nodes rf 3
 * (2026-11-27 14:55-15:01, `run.ts --targets ringkv-3-rf3 --shapes depth1,app --node-flag=...`) did
 * 7,137 / 5,044 / 5,118 ops/s at depth 1 with 2 MB against 8,217 / 8,134 / 8,419 with 8 MB, RingClient with
 * 50 workers 11,540 / 11,583 / 10,535 against 15,303 / 13,213 / 16,735, with 1,000 workers 24,728 / 22,414 /
 * 20,772 against 32,996 / 28,485 / 37,774 (8 MB ahead in every cell of every round, load 0.6-4.8); the full
 * bench at 14:40 with 2 MB also had one node's HTTP rate 28% lower than at 12:00 with 8 MB.
 *
 * `--no-allocation-site-pretenuring`: V8 decides per allocation site (an object or array literal) to
 * allocate its objects straight in the old generation once 85% of them survived one scavenge, and does not
 * take that back. A burst (the benchmarks' preload in batches of 500, any client's batches) flips sites on
 * the per-request path of `ws` and Node's streams that way; from then on short-lived per-request objects are
 * born in the old generation and, through its old-to-new pointers, keep the young objects they point to
 * alive through every scavenge until those are promoted too: ~480 bytes promoted per request at half peak,
 * scavenges of 5 ms median, the old generation growing ~4 MB/s. Without it (or with a preload of single
 * requests): 21-29 bytes per request and 1.5 ms scavenges (bench/cluster/gc-half-peak.ts, 2026-11-27
 * 16:20-16:43); half-peak p99 at 8,000/s 7.0, 4.9 and 4.05 ms against 34.0, 8.5 and 6.1 ms in the quieter
 * interleaved pairs, GC time per 15 s 126-233 ms against 396-1,131 in all seven; ops per server CPU-second
 * the same or higher in depth 1, depth 16, batch 100 and 3-node rf 3 pairs (docs/PERFORMANCE.md,
 * "Pretenuring").
 *
 * `--no-memory-reducer`: V8's memory reducer starts full mark-compacts to shrink a heap it thinks idle. A
 * node under steady load is not idle, but tsx's module loader thread (an isolate of its own in the node's
 * process, on the node's core) is: its reducing collections took 19-35 ms of that core. At half peak on one
 * node (12,350/s, 40 s, bench/cluster/gc-half-peak.ts, 2026-11-28 02:45-03:26, five interleaved pairs): 6
 * mark-compacts in all without the reducer against 14
 * with it; p99 2.71 / 2.89 / 6.72 / 5.94 / 3.55 ms against 6.20 / 4.68 / 3.06 / 4.61 / 5.01 (medians 3.55 and
 * 4.68), p99.9 medians 10.3 and 14.6 ms. Fewer collections, a tail lower in three pairs of five: the
 * collections left (the old generation still fills up) still make the misses. An idle node no longer gives
 * memory back by itself; RSS per key after loading did not change (bench:memory).
 */
export const nodeV8Flags: readonly string[] = [
  '--max-semi-space-size=8',
  '--no-allocation-site-pretenuring',
  '--no-memory-reducer',
];
