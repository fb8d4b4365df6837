/**
 * In-process micro-benchmark of decoding client data requests (packages/protocol/src/decode.ts): the
 * zod-only path against decodeRequest with the hand-written fast path, on the bench's request shapes
 * (90% reads, 10% updates with a 100-byte value), already parsed as a frame would be.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/decode.ts
 */
import { decodeRequest, decodeRequestBySchema } from '../../packages/protocol/src/decode.js';

const count = 500_000;
const value = 'x'.repeat(98);
const requests = Array.from({ length: 1000 }, (_, i) => {
  const key = `key:${String(i * 97).padStart(12, '0')}`;
  const text =
    i % 10 === 0
      ? JSON.stringify({ id: i, op: 'update', key, value })
      : JSON.stringify({ id: i, op: 'read', key });
  return JSON.parse(text) as unknown;
});

function time(name: string, decode: (raw: unknown) => { ok: boolean }): void {
  let sink = 0;
  for (let i = 0; i < count; i++) sink += decode(requests[i % 1000]).ok ? 1 : 0; // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += decode(requests[i % 1000]).ok ? 1 : 0;
  const nsPerCall = Number(process.hrtime.bigint() - started) / count;
  console.log(`${name.padEnd(36)} ${nsPerCall.toFixed(1).padStart(7)} ns/request (ok ${sink})`);
}

for (let pass = 1; pass <= 2; pass++) {
  console.log(`pass ${pass}`);
  time('zod only (decodeRequestBySchema)', decodeRequestBySchema);
  time('fast path (decodeRequest)', decodeRequest);
}
