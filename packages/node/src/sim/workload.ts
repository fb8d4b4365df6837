/**
 * The simulated clients: each sends one operation at a time (create, update, read, delete on a small key
 * set, so operations contend) to a random running node, waits for the answer, and records it with its
 * start and end times in virtual milliseconds. Every written value is unique, so a checker can tell which
 * write a read saw. An operation on a node that crashes never answers: a watchdog marks it `lost` (its
 * outcome unknown) and the client moves on. Timers run on the cluster's clock, not a node's, so a crash
 * does not cancel them.
 */
import { type Consistency, RingKvError } from '@ringkv/protocol';
import type { DataOp } from '../core/coordinator.js';
import type { NodeId, TimerHandle } from '../core/types.js';
import type { SimCluster } from './harness.js';
import { replicaRead } from './replica-read-client.js';
import { type ReplicationSimNode, replicationSimDefaults } from './replication-node.js';

export interface OpRecord {
  client: number;
  op: DataOp;
  key: string;
  /** The value a create or update wrote. */
  valueJson?: string;
  consistency: Consistency;
  node: NodeId;
  startMs: number;
  endMs?: number;
  /** ok; error with `code`; lost when its node crashed before answering. */
  outcome?: 'ok' | 'error' | 'lost';
  code?: string;
  /** What the operation wrote or read (the coordinator's answer). */
  version?: number;
  writer?: NodeId;
  resultValueJson?: string | null;
  /** A read answered by the replicas themselves (replica-read-client.ts), not by a coordinator. */
  viaReplicas?: boolean;
}

export interface WorkloadOptions {
  clients: number;
  keys: number;
  /** Each client waits 0..this between operations. */
  thinkMsMax: number;
  consistency: Consistency;
  /** An operation without an answer after this long is `lost` (its node crashed). */
  watchdogMs: number;
  /** Shares of create, update and read (deletes take the rest). */
  mix?: { create: number; update: number; read: number };
  /**
   * Share of reads a client first tries on the replicas itself, as RingClient does (replica-read-client.ts;
   * default 0). The quorum is the simulated nodes' (replicationSimDefaults).
   */
  replicaReads?: number;
}

const defaultMix = { create: 0.15, update: 0.45, read: 0.35 };

export const workloadDefaults: WorkloadOptions = {
  clients: 8,
  keys: 12,
  thinkMsMax: 150,
  consistency: 'quorum',
  watchdogMs: 6_000,
};

export class Workload {
  readonly history: OpRecord[] = [];
  private running = false;
  private inflight = 0;
  private sequence = 0;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly cluster: SimCluster<ReplicationSimNode>,
    private readonly options: WorkloadOptions = workloadDefaults,
  ) {}

  keys(): string[] {
    return Array.from({ length: this.options.keys }, (_, i) => `key-${i}`);
  }

  start(): void {
    this.running = true;
    for (let client = 0; client < this.options.clients; client++) this.next(client);
  }

  /** Clients finish what they sent and send nothing more. */
  stop(): void {
    this.running = false;
  }

  /** Operations sent and not yet answered (or declared lost). */
  pending(): number {
    return this.inflight;
  }

  private later(delayMs: number, callback: () => void): void {
    const timer = this.cluster.clock.setTimer(delayMs, () => {
      this.timers.delete(timer);
      callback();
    });
    this.timers.add(timer);
  }

  private next(client: number): void {
    if (!this.running) return;
    this.later(this.cluster.random.between(0, this.options.thinkMsMax), () => this.send(client));
  }

  private pickOp(): DataOp {
    const { create, update, read } = this.options.mix ?? defaultMix;
    const roll = this.cluster.random.next();
    if (roll < create) return 'create';
    if (roll < create + update) return 'update';
    if (roll < create + update + read) return 'read';
    return 'delete';
  }

  /** Tries `read` on the replicas (a share of reads); true when they answered it. */
  private readFromReplicas(read: OpRecord): boolean {
    const share = this.options.replicaReads ?? 0;
    if (share === 0 || this.cluster.random.next() >= share) return false;
    const answer = replicaRead(this.cluster, read.node, read.key, read.consistency, replicationSimDefaults);
    if (answer === undefined) return false;
    const endMs = this.cluster.clock.nowMs();
    if (answer === 'missing') {
      Object.assign(read, { outcome: 'error', code: 'KEY_NOT_FOUND', endMs, viaReplicas: true });
    } else {
      const { version, writer, valueJson } = answer.record;
      Object.assign(read, {
        outcome: 'ok',
        version,
        writer,
        resultValueJson: valueJson,
        endMs,
        viaReplicas: true,
      });
    }
    return true;
  }

  private send(client: number): void {
    const running = this.cluster.running();
    if (!this.running || running.length === 0) {
      this.next(client);
      return;
    }
    const node = this.cluster.random.pick(running);
    const op = this.pickOp();
    const key = this.cluster.random.pick(this.keys());
    const valueJson =
      op === 'create' || op === 'update' ? JSON.stringify(`c${client}-${this.sequence++}`) : undefined;
    const record: OpRecord = {
      client,
      op,
      key,
      ...(valueJson === undefined ? {} : { valueJson }),
      consistency: this.options.consistency,
      node,
      startMs: this.cluster.clock.nowMs(),
    };
    this.history.push(record);
    if (op === 'read' && this.readFromReplicas(record)) {
      this.next(client);
      return;
    }
    this.inflight++;
    let settled = false;
    const finish = (update: Partial<OpRecord>) => {
      if (settled) return;
      settled = true;
      this.inflight--;
      Object.assign(record, update, { endMs: this.cluster.clock.nowMs() });
      this.next(client);
    };
    this.later(this.options.watchdogMs, () => finish({ outcome: 'lost' }));
    this.cluster
      .node(node)
      .data.execute(op, key, valueJson, this.options.consistency)
      .then(
        (result) =>
          finish({
            outcome: 'ok',
            version: result.version,
            writer: result.writer,
            resultValueJson: result.valueJson,
          }),
        (error: unknown) => {
          if (!(error instanceof RingKvError)) throw error;
          finish({ outcome: 'error', code: error.code });
        },
      );
  }
}
