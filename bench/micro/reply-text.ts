/**
 * In-process micro-benchmark of the reply text pieces (packages/node/src/io/json-text.ts): version numbers
 * and keys to JSON text, the built-in way against the fast paths, and a whole record result.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/reply-text.ts
 */
import { jsonStringText, safeIntegerText } from '../../packages/node/src/io/json-text.js';

const count = 1_000_000;
const baseVersion = Date.now() * 4096;
// Versions differ on every call, as across 100,000 keys: V8's number-to-string cache must not answer.
let versionOffset = 0;
const versionAt = (i: number): number => baseVersion + (versionOffset + i) * 13;
const keys = Array.from(
  { length: 4096 },
  (_, i) => JSON.parse(`"key:${String(i * 24).padStart(12, '0')}"`) as string,
);
const valueJson = JSON.stringify('x'.repeat(98));

function time(name: string, run: (i: number) => string): void {
  let sink = 0;
  for (let i = 0; i < count; i++) sink += run(i).length; // warm-up
  versionOffset += count;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += run(i).length;
  versionOffset += count;
  const nsPerCall = Number(process.hrtime.bigint() - started) / count;
  console.log(`${name.padEnd(44)} ${nsPerCall.toFixed(1).padStart(7)} ns/call (sink ${sink % 10})`);
}

for (let pass = 1; pass <= 2; pass++) {
  console.log(`pass ${pass}`);
  time('String(version)', (i) => String(versionAt(i)));
  time('safeIntegerText(version)', (i) => safeIntegerText(versionAt(i)));
  time('JSON.stringify(key)', (i) => JSON.stringify(keys[i & 4095]!));
  time('jsonStringText(key)', (i) => jsonStringText(keys[i & 4095]!));
  time('record result, before', (i) => {
    const text = `{"key":${JSON.stringify(keys[i & 4095]!)},"value":${valueJson},"version":${versionAt(i)}}`;
    return Buffer.from(`{"id":1,"ok":true,"result":${text}}`).length > 0 ? text : '';
  });
  time('record result, after', (i) => {
    const text = `{"key":${jsonStringText(keys[i & 4095]!)},"value":${valueJson},"version":${safeIntegerText(versionAt(i))}}`;
    return Buffer.from(`{"id":1,"ok":true,"result":${text}}`).length > 0 ? text : '';
  });
}
