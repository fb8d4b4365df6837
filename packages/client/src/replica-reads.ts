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
  type RecordResult,
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
  /** Sends the read of `key` to its coordinator instead, settling the read's promise with its answer. */
  askCoordinator(
    key: string,
    consistency: Consistency | undefined,
    resolve: (record: RecordResult) => void,
    reject: (error: unknown) => void,
  ): void;
}

export class ReplicaReads {
  /** Writes this client has in flight, by key: a read of such a key goes to the coordinator. */
  private readonly writesInFlight = new Map<string, number>();
  /**
   * The connections the last `plan` chose (its first `plan` entries), reused by every read: `read` runs
   * right after `plan`, in the same turn, so one array serves all reads instead of one per read.
   */
  private readonly planned: Connection[] = [];

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
   * How many replicas a client-side read of `key` asks (their connections are the first entries of
   * `planned`, for the `read` that follows in the same turn), or 0 when the read should go to the
   * coordinator: no ring or no quorum in it yet, a quorum of one (the coordinator answers that in one hop
   * already), fewer live replicas than needed, a write of ours in flight on the key, or a replica not
   * connected yet (a connection is opened for the next read).
   */
  plan(key: string, consistency: Consistency): number {
    const ring = this.settings.router.ring;
    if (ring?.readQuorum === undefined || ring.checksum === undefined) return 0;
    if (this.writesInFlight.has(key)) return 0;
    const replicas = ring.preferenceList(key);
    const needed = replicaAnswersNeeded(consistency, replicas.length, ring.readQuorum);
    if (needed < 2) return 0;
    let count = 0;
    for (const node of replicas) {
      if (count === needed) break;
      if (!this.settings.router.isLive(node)) continue;
      const connection = this.settings.pool.get(node);
      if (connection === undefined) {
        this.connectLater(node);
        return 0;
      }
      this.planned[count++] = connection;
    }
    return count === needed ? count : 0;
  }

  /**
   * Asks the `count` connections `plan` just chose for their copy of `key`, and settles the read with the
   * agreed answer, or through `askCoordinator` when the replicas cannot answer (counted either way).
   */
  read(
    key: string,
    count: number,
    consistency: Consistency | undefined,
    deadlineMs: number,
    resolve: (record: RecordResult) => void,
    reject: (error: unknown) => void,
  ): void {
    const { router, replicaReadTimeoutMs } = this.settings;
    const replicaDeadlineMs = Math.min(deadlineMs, Date.now() + replicaReadTimeoutMs);
    const round = new ReplicaReadRound(key, count, consistency, router.ring?.checksum, this, resolve, reject);
    // The first replica sends the write it holds, the others only name it (a digest: no key, node or
    // value to send and parse), which is all agreement needs. Each request gets its own id and text.
    const body = { op: 'read_replica' as const, key };
    const digestBody = { op: 'read_replica' as const, key, digest: true };
    // A request refused at once (a closed connection, a full queue) settles the round: send no more.
    for (let slot = 0; slot < count && !round.settled; slot++) {
      this.planned[slot]!.requestInto(slot === 0 ? body : digestBody, replicaDeadlineMs, round, slot);
    }
  }

  /** A round's end: the agreed record, `missing`, or the coordinator's answer instead. */
  settle(round: ReplicaReadRound, agreement: ReplicaAgreement): void {
    const counters = this.settings.counters;
    if (agreement === undefined) {
      counters.replicaReadFallbacks++;
      this.settings.askCoordinator(round.key, round.consistency, round.resolve, round.reject);
      return;
    }
    counters.replicaReads++;
    if (agreement === 'missing') round.reject(keyNotFound(round.key));
    else round.resolve(agreement);
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
 * the quorum it can still reach). One object per read, holding the read's promise's settle functions,
 * instead of a promise per replica, a Promise.all and a closure per read.
 */
class ReplicaReadRound implements ReplySink {
  private readonly answers: ReplicaReadResult[];
  private missing: number;
  private decided = false;

  constructor(
    readonly key: string,
    replicas: number,
    readonly consistency: Consistency | undefined,
    private readonly ringChecksum: string | undefined,
    private readonly reads: ReplicaReads,
    readonly resolve: (record: RecordResult) => void,
    readonly reject: (error: unknown) => void,
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
    this.decided = true;
    this.reads.settle(this, agreement);
  }

  fail(): void {
    if (this.decided) return;
    this.decided = true;
    this.reads.settle(this, undefined);
  }
}

/** The error a read of a missing key gets, worded as the nodes word it. */
function keyNotFound(key: string): RingKvError {
  return new RingKvError('KEY_NOT_FOUND', `key ${JSON.stringify(key)} does not exist`);
}
