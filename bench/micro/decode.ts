/**
 * In-process micro-benchmark of decoding client data requests (packages/protocol/src/decode.ts): the
 * zod-only path against decodeRequest with the hand-written fast path, on the bench's request shapes
 * (90% reads, 10% updates with a 100-byte value), already parsed as a frame would be; then whole batch
 * frames of 100 such requests through decodeFrame (JSON.parse included), in CPU time per request.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/decode.ts
 */
import { decodeFrame, decodeRequest, decodeRequestBySchema } from '../../packages/protocol/src/decode.js';

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

const frames = Array.from({ length: 100 }, (_, frame) => {
  const texts = [];
  for (let i = 0; i < 100; i++) {
    const id = frame * 100 + i;
    const key = `key:${String((id * 7919) % 100_000).padStart(12, '0')}`;
    texts.push(
      i % 10 === 0
        ? `{"id":${id},"op":"update","key":"${key}","value":${JSON.stringify(value)}}`
        : `{"id":${id},"op":"read","key":"${key}"}`,
    );
  }
  return `[${texts.join(',')}]`;
});

function timeFrames(): void {
  const rounds = 5_000;
  let sink = 0;
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const frame = decodeFrame(frames[round % frames.length]!);
    if (frame.kind === 'batch') sink += frame.requests.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const nsPerRequest = ((cpu.user + cpu.system) * 1000) / (rounds * 100);
  console.log(
    `${'decodeFrame, batches of 100'.padEnd(36)} ${nsPerRequest.toFixed(1).padStart(7)} ns of CPU/request (${sink})`,
  );
}

for (let pass = 1; pass <= 2; pass++) {
  console.log(`pass ${pass}`);
  time('zod only (decodeRequestBySchema)', decodeRequestBySchema);
  time('fast path (decodeRequest)', decodeRequest);
}
for (let pass = 1; pass <= 5; pass++) timeFrames();
