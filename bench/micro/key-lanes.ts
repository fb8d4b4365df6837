/**
 * In-process micro-benchmark of a client connection's per-key ordering on the write path: the old
 * KeyLanes + in-flight count map (as ws-connection.ts used them before) against ReportedKeyLanes. Each
 * "request" is an async answer awaiting an already-settled async task, 100 distinct keys per turn, as a
 * batch frame of updates on idle keys is.
 *   flock /tmp/ringkv-cpu.lock npx tsx bench/micro/key-lanes.ts
 */
import { KeyLanes, ReportedKeyLanes } from '../../packages/node/src/io/key-lanes.js';

const turns = 20_000;
const perTurn = 100;
const keys = Array.from({ length: perTurn * 10 }, (_, i) => `key:${String(i).padStart(12, '0')}`);
const task = async () => 'result';

async function oldAnswer(lanes: KeyLanes, inFlight: Map<string, number>, key: string): Promise<string> {
  inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
  try {
    return await lanes.run(key, task);
  } finally {
    const left = inFlight.get(key)! - 1;
    if (left === 0) inFlight.delete(key);
    else inFlight.set(key, left);
  }
}

async function newAnswer(lanes: ReportedKeyLanes, key: string): Promise<string> {
  try {
    return await lanes.run(key, task);
  } finally {
    lanes.done(key);
  }
}

async function time(name: string, answer: (key: string) => Promise<string>): Promise<void> {
  const started = process.hrtime.bigint();
  for (let turn = 0; turn < turns; turn++) {
    const base = (turn % 10) * perTurn;
    const answers = new Array<Promise<string>>(perTurn);
    for (let i = 0; i < perTurn; i++) answers[i] = answer(keys[base + i]!);
    await Promise.all(answers);
  }
  const nsPerRequest = Number(process.hrtime.bigint() - started) / (turns * perTurn);
  console.log(`${name.padEnd(32)} ${nsPerRequest.toFixed(1).padStart(7)} ns/request`);
}

const oldLanes = new KeyLanes();
const inFlight = new Map<string, number>();
const newLanes = new ReportedKeyLanes();
for (let pass = 1; pass <= 5; pass++) {
  console.log(`pass ${pass}`);
  await time('KeyLanes + in-flight counts', (key) => oldAnswer(oldLanes, inFlight, key));
  await time('ReportedKeyLanes', (key) => newAnswer(newLanes, key));
}
