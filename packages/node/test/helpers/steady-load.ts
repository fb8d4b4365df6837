/**
 * A steady, bounded client load for tests that change the cluster under it: one RingClient (ring-aware,
 * quorum) runs rounds of creates of new keys, updates of existing keys and reads that check the value
 * they get, one round at a time with a pause between rounds, so the rate stays at a few hundred operations
 * a second. Within a round no key is both written and read, and rounds do not overlap, so every read knows
 * the one value it must see. Every failure (an error, a missing key, a stale value) is recorded with the
 * operation and key; `expected` always holds the newest acknowledged value of every key.
 *
 *   const load = startSteadyLoad({ client, expected, uncertain, baseKeys, prefix: 'join' });
 *   ...change the cluster...
 *   const { operations, failures } = await load.stop();
 */
import type { RingClient } from '@ringkv/client';

export interface SteadyLoadOptions {
  client: RingClient;
  /** key -> JSON text of its newest acknowledged value; read, and updated on every acknowledged write. */
  expected: Map<string, string>;
  /**
   * key -> values it may hold after a failed write (the write may or may not have been applied; undefined:
   * a failed create may have left no key). Filled by the load; failures are also reported as failures.
   */
  uncertain: Map<string, Set<string | undefined>>;
  /** Existing keys the load updates and reads. */
  baseKeys: readonly string[];
  /** New keys are `${prefix}:${n}`. */
  prefix: string;
  /** Operations of each kind per round (default 3 creates, 3 updates, 4 reads). */
  perRound?: { creates: number; updates: number; reads: number };
  /** Pause between rounds (default 40 ms). */
  pauseMs?: number;
  /** Safety bounds: the load stops by itself after this long or this many rounds. */
  durationMsMax?: number;
  roundsMax?: number;
}

export interface SteadyLoadResult {
  operations: number;
  failures: string[];
  createdKeys: string[];
  /** Every key the load wrote (created or updated), acknowledged or not. */
  writtenKeys: Set<string>;
  elapsedMs: number;
  /** True when it stopped on a safety bound rather than on `stop()`. */
  stoppedByBound: boolean;
}

export interface SteadyLoad {
  /** Operations finished so far. */
  operations(): number;
  stop(): Promise<SteadyLoadResult>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code === undefined ? error.message : `${code} ${error.message}`;
  }
  return String(error);
}

export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const { client, expected, uncertain, baseKeys, prefix } = options;
  const perRound = options.perRound ?? { creates: 3, updates: 3, reads: 4 };
  const pauseMs = options.pauseMs ?? 40;
  const durationMsMax = options.durationMsMax ?? 120_000;
  const roundsMax = options.roundsMax ?? 5_000;
  const failures: string[] = [];
  const createdKeys: string[] = [];
  const writtenKeys = new Set<string>();
  const startedMs = Date.now();
  let operations = 0;
  let running = true;
  let stoppedByBound = false;
  let cursor = 0;
  let counter = 0;

  const write = async (op: 'create' | 'update', key: string, value: unknown) => {
    writtenKeys.add(key);
    // Where the client sends it (the key's coordinator in its view of the ring): named in a failure.
    const via = client.route(key);
    try {
      const result = op === 'create' ? await client.create(key, value) : await client.update(key, value);
      expected.set(key, JSON.stringify(result.value));
      if (op === 'create') createdKeys.push(key);
    } catch (error) {
      failures.push(`${op} ${key} via ${via}: ${describeError(error)}`);
      const values = uncertain.get(key) ?? new Set([expected.get(key)]);
      uncertain.set(key, values.add(JSON.stringify(value)));
    }
  };
  const read = async (key: string) => {
    const want = expected.get(key);
    if (uncertain.has(key)) return;
    const via = client.route(key);
    try {
      const got = JSON.stringify((await client.read(key)).value);
      if (got !== want) failures.push(`read ${key} via ${via}: got ${got}, expected ${want}`);
    } catch (error) {
      failures.push(`read ${key} via ${via}: ${describeError(error)}`);
    }
  };

  /** One round: creates, updates and reads over disjoint keys, all in flight together. */
  const round = async () => {
    const calls: Array<Promise<void>> = [];
    const written = new Set<string>();
    for (let i = 0; i < perRound.creates; i++) {
      const key = `${prefix}:${counter++}`;
      written.add(key);
      calls.push(write('create', key, { created: key }));
    }
    for (let i = 0; i < perRound.updates; i++) {
      const key = baseKeys[(cursor++ * 7919) % baseKeys.length]!;
      written.add(key);
      calls.push(write('update', key, { key, update: counter++ }));
    }
    for (let i = 0; i < perRound.reads; i++) {
      // Half the reads hit keys this load created earlier (they must be found), half the base keys.
      const pool = i % 2 === 0 && createdKeys.length > 0 ? createdKeys : baseKeys;
      const key = pool[(cursor * 31 + i * 104_729) % pool.length]!;
      if (!written.has(key)) calls.push(read(key));
    }
    await Promise.all(calls);
    operations += calls.length;
  };

  const done = (async () => {
    for (let rounds = 0; running; rounds++) {
      if (rounds >= roundsMax || Date.now() - startedMs > durationMsMax) {
        stoppedByBound = true;
        return;
      }
      await round();
      await sleep(pauseMs);
    }
  })();

  return {
    operations: () => operations,
    stop: async () => {
      running = false;
      await done;
      return {
        operations,
        failures,
        createdKeys,
        writtenKeys,
        elapsedMs: Date.now() - startedMs,
        stoppedByBound,
      };
    },
  };
}
