/** What `ringkv load` and `ringkv bench` share: their flags, their client, how they count errors. */
import { RingClient, RingKvError } from '@ringkv/client';
import type { Consistency } from '@ringkv/protocol';
import type { ConnectionFlags } from './common.js';

export interface WorkloadFlags extends ConnectionFlags {
  consistency?: Consistency;
  concurrency: number;
  valueBytes: number;
  prefix: string;
  /** False with --no-ring-aware: every call goes to the home node, which forwards (for comparison). */
  ringAware: boolean;
}

/** A ring-aware client on every URL given (`--url a,b,c`). */
export function workloadClient(flags: WorkloadFlags): Promise<RingClient> {
  return RingClient.connect(flags.url.split(','), {
    requestTimeoutMs: flags.timeout ?? 5000,
    ringAware: flags.ringAware,
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(flags.consistency === undefined ? {} : { consistency: flags.consistency }),
  });
}

/** Counts errors by SPEC code; anything else is INTERNAL. */
export function errorCode(error: unknown): string {
  return error instanceof RingKvError ? error.code : 'INTERNAL';
}
