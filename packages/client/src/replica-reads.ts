/**
 * Client-side quorum reads: instead of asking the key's coordinator, which asks the other replicas and
 * answers with the newest record (two hops in a row), the client asks `readQuorum` replicas at once with
 * `read_replica` (each answers from its own store, one hop; all but the first with a digest of their
 * copy) and takes the answer only when they all hold the same write. Anything else (a replica that
 * disagrees, answers on another ring, is not a replica, fails or is slow) sends the read to the
 * coordinator as before, which also repairs stale replicas.
 *
 * Why this is as safe as the coordinator's read: a write that succeeded is on `writeQuorum` of the key's
 * replicas; with readQuorum + writeQuorum > replicationFactor any `readQuorum` replicas include one of
 * them, so replicas that all hold the same write hold that write or a newer one. The replicas are those of
 * the ring the client routes by, and each answer must come from that same ring (its checksum) and from a
 * node that is a replica of the key in it; a ring that changed since falls back. A client's own write
 * still in flight on the key also falls back, so a pipelined read sees the write sent before it.
 */
import {
  agreedRecord,
  type Consistency,
  type ReplicaAgreement,
  type ReplicaReadResult,
  RingKvError,
  replicaAnswersNeeded,
} from '@ringkv/protocol';
import type { Connection, ReplySink } from './connection.js';
import type { NodePool } from './node-pool.js';
import type { Router } from './router.js';

export interface ReplicaReadCounters {
  /** Quorum reads answered by the replicas themselves (no coordinator). */
  replicaReads: number;
  /** Quorum reads tried on the replicas that went to the coordinator after all. */
  replicaReadFallbacks: number;
}

export interface ReplicaReadSettings {
  router: Router;
  pool: NodePool;
  replicaReadTimeoutMs: number;
  counters: ReplicaReadCounters;
  onBackgroundError(error: unknown): void;
}

export class ReplicaReads {
  /** Writes this client has in flight, by key: a read of such a key goes to the coordinator. */
  private readonly writesInFlight = new Map<string, number>();

  constructor(private readonly settings: ReplicaReadSettings) {}

  /** Tracks a write on `key` until it settles; returns `result` unchanged. */
  trackWrite<T>(key: string, result: Promise<T>): Promise<T> {
    const writes = this.writesInFlight;
    writes.set(key, (writes.get(key) ?? 0) + 1);
    const settled = (): void => {
      const left = writes.get(key)! - 1;
      if (left === 0) writes.delete(key);
      else writes.set(key, left);
    };
    result.then(settled, settled);
    return result;
  }

  /**
   * The open connections to the replicas a client-side read of `key` asks, or `undefined` when the read
   * should go to the coordinator: no ring or no quorum in it yet, a quorum of one (the coordinator answers
   * that in one hop already), fewer live replicas than needed, a write of ours in flight on the key, or a
   * replica not connected yet (a connection is opened for the next read).
   */
  plan(key: string, consistency: Consistency): Connection[] | undefined {
    const ring = this.settings.router.ring;
    if (ring?.readQuorum === undefined || ring.checksum === undefined) return undefined;
    if (this.writesInFlight.has(key)) return undefined;
    const replicas = ring.preferenceList(key);
    const needed = replicaAnswersNeeded(consistency, replicas.length, ring.readQuorum);
    if (needed < 2) return undefined;
    const connections: Connection[] = [];
    for (const node of replicas) {
      if (connections.length === needed) break;
      if (!this.settings.router.isLive(node)) continue;
      const connection = this.settings.pool.get(node);
      if (connection === undefined) {
        this.connectLater(node);
        return undefined;
      }
      connections.push(connection);
    }
    return connections.length === needed ? connections : undefined;
  }

  /**
   * Asks every connection in `plan` for its copy of `key`; `done` gets the agreed answer, or `undefined`
   * when the coordinator must answer (counted either way). `done` is called once, never with an error.
   */
  read(
    key: string,
    plan: readonly Connection[],
    deadlineMs: number,
    done: (agreement: ReplicaAgreement) => void,
  ): void {
    const ringChecksum = this.settings.router.ring?.checksum;
    const replicaDeadlineMs = Math.min(deadlineMs, Date.now() + this.settings.replicaReadTimeoutMs);
    const round = new ReplicaReadRound(key, plan.length, ringChecksum, this.settings.counters, done);
    // The first replica sends the write it holds, the others only name it (a digest: no key, node or
    // value to send and parse), which is all agreement needs. Each request gets its own id and text.
    const body = { op: 'read_replica' as const, key };
    const digestBody = { op: 'read_replica' as const, key, digest: true };
    // A request refused at once (a closed connection, a full queue) settles the round: send no more.
    for (let slot = 0; slot < plan.length && !round.settled; slot++) {
      plan[slot]!.requestInto(slot === 0 ? body : digestBody, replicaDeadlineMs, round, slot);
    }
  }

  private connectLater(node: string): void {
    const pool = this.settings.pool;
    if (!pool.canConnect(node)) return;
    pool.connect(node).catch((error: unknown) => this.settings.onBackgroundError(error));
  }
}

/**
 * One client-side quorum read in flight: collects each replica's answer in its slot and decides once all
 * are in, or at the first failure (a replica that failed or was too slow: the coordinator's read waits for
 * the quorum it can still reach). One object per read instead of a promise per replica and a Promise.all.
 */
class ReplicaReadRound implements ReplySink {
  private readonly answers: ReplicaReadResult[];
  private missing: number;
  private decided = false;

  constructor(
    private readonly key: string,
    replicas: number,
    private readonly ringChecksum: string | undefined,
    private readonly counters: ReplicaReadCounters,
    private readonly done: (agreement: ReplicaAgreement) => void,
  ) {
    this.answers = new Array(replicas);
    this.missing = replicas;
  }

  /** The round has decided (all answers in, or one failed). */
  get settled(): boolean {
    return this.decided;
  }

  answer(slot: number, result: unknown): void {
    if (this.decided) return;
    this.answers[slot] = result as ReplicaReadResult;
    if (--this.missing > 0) return;
    let agreement: ReplicaAgreement;
    try {
      agreement =
        this.ringChecksum === undefined ? undefined : agreedRecord(this.key, this.answers, this.ringChecksum);
    } catch {
      // An answer that is not a ReplicaReadResult at all (a node of another version): ask the coordinator.
      agreement = undefined;
    }
    this.settle(agreement);
  }

  fail(): void {
    if (!this.decided) this.settle(undefined);
  }

  private settle(agreement: ReplicaAgreement): void {
    this.decided = true;
    if (agreement === undefined) this.counters.replicaReadFallbacks++;
    else this.counters.replicaReads++;
    this.done(agreement);
  }
}

/** The error a read of a missing key gets, worded as the nodes word it. */
export function keyNotFound(key: string): RingKvError {
  return new RingKvError('KEY_NOT_FOUND', `key ${JSON.stringify(key)} does not exist`);
}
