/**
 * In-process micro-benchmark of a batch frame's reply text: 100 read replies, each from a random one of
 * 100,000 records (so the stored values are not all in cache), built as one template each and joined
 * (before) or as pieces of one BatchReplyText joined once (after), then encoded to UTF-8 as ws sends it.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/batch-reply.ts [PASSES]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { BatchReplyText, recordReplyText } from '../../packages/node/src/io/replies.js';
import { jsonValueText, keyAt, seededRandom } from '../lib/keys.js';

const recordCount = 100_000;
const batchSize = 100;
const batches = 1_000;
const passes = Number(process.argv[2] ?? 4);
const keys = Array.from({ length: recordCount }, (_, index) => keyAt(index));
// Each value its own string, as the store holds them.
const values = keys.map(() => JSON.parse(JSON.stringify([jsonValueText]))[0] as string);
const versions = keys.map((_, index) => Date.now() * 4096 + index * 7);
const random = seededRandom(5);
const picks = Array.from({ length: batchSize * batches }, () => Math.floor(random() * recordCount));

function templates(batch: number): number {
  const texts = new Array<string>(batchSize);
  for (let index = 0; index < batchSize; index++) {
    const pick = picks[batch * batchSize + index]!;
    texts[index] = recordReplyText(batch * batchSize + index, keys[pick]!, values[pick]!, versions[pick]!);
  }
  return Buffer.byteLength(`[${texts.join(',')}]`);
}

function pieces(batch: number): number {
  const reply = new BatchReplyText(batchSize);
  for (let index = 0; index < batchSize; index++) {
    const pick = picks[batch * batchSize + index]!;
    reply.addRecordReply(batch * batchSize + index, keys[pick]!, values[pick]!, versions[pick]!);
  }
  return Buffer.byteLength(reply.text());
}

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

for (let pass = 1; pass <= passes; pass++) {
  for (const [name, build] of [
    ['template per reply, joined', templates],
    ['BatchReplyText', pieces],
  ] as const) {
    const collectionsBefore = collections;
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    let bytes = 0;
    for (let round = 0; round < 10; round++) {
      for (let batch = 0; batch < batches; batch++) bytes += build(batch);
    }
    const replies = 10 * batches * batchSize;
    const nsPerReply = Number(process.hrtime.bigint() - started) / replies;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuNsPerReply = ((cpu.user + cpu.system) * 1000) / replies;
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the GC observer report
    console.log(
      `pass ${pass} ${name.padEnd(28)} ${cpuNsPerReply.toFixed(0).padStart(5)} ns of CPU per reply ` +
        `(${nsPerReply.toFixed(0)} elapsed), ` +
        `${(((collections - collectionsBefore) * 100_000) / replies).toFixed(1)} GCs per 100k (${bytes % 7})`,
    );
  }
}
