/**
 * Everything that moves data between replicas in the background, built once per node (the real node and
 * the simulated one alike): the indexed store the data plane writes through, the repair service that
 * answers peers' digest and fetch requests, the anti-entropy rounds, rebalancing, and the sweeper that
 * reclaims storage (collected tombstones, ranges this node no longer replicates).
 */
import { limits, type PeerReply, type PeerRequest } from '@ringkv/protocol';
import type { Store } from '../store/store.js';
import { AntiEntropy, type AntiEntropyConfig, antiEntropyDefaults } from './anti-entropy.js';
import type { Placement } from './coordinator.js';
import { IndexedStore } from './indexed-store.js';
import type { MemberStatus } from './member-table.js';
import type { Membership } from './membership.js';
import { type RebalanceDeps, Rebalancer, type RebalanceStatus } from './rebalance.js';
import { RepairService } from './repair-sync.js';
import type { PeerRequester } from './replica.js';
import { type ReclamationStatus, Sweeper, type SweeperConfig, sweeperDefaults } from './sweeper.js';
import type { Clock, NodeId, Random } from './types.js';

export interface RepairPlaneDeps {
  self: NodeId;
  clock: Clock;
  random: Random;
  /** The node's store; the plane wraps it (use `plane.store` for every write from now on). */
  store: Store;
  peers: PeerRequester;
  placement: Placement;
  replicationFactor: number;
  antiEntropy?: Partial<Omit<AntiEntropyConfig, 'replicationFactor'>>;
  /** With membership, the plane also streams ranges on ring changes and decommission (rebalance.ts). */
  membership?: RebalanceDeps['membership'] & Partial<Pick<Membership, 'member'>>;
  /** Anti-entropy rounds on (default true); switched off, repairs happen only through rebalancing. */
  antiEntropyEnabled?: boolean;
  /** Wait before a newly joined node pulls its ranges (rebalance.ts `joinSettleMs`). */
  joinSettleMs?: number;
  /** False while the node's ring cannot be trusted (waiting for its seeds): no anti-entropy rounds. */
  ready?: () => boolean;
  /** Storage reclamation (core/sweeper.ts): on with `sweeperDefaults` unless false. */
  reclamation?: Partial<SweeperConfig> | false;
  /** This node's membership status (default: `membership.member(self)`); unknown, the sweeper drops nothing. */
  selfStatus?: () => MemberStatus | undefined;
}

export class RepairPlane {
  readonly store: IndexedStore;
  readonly service: RepairService;
  readonly antiEntropy: AntiEntropy;
  readonly rebalancer: Rebalancer | undefined;
  readonly sweeper: Sweeper | undefined;

  constructor(private readonly deps: RepairPlaneDeps) {
    const sweep = deps.reclamation === false ? undefined : { ...sweeperDefaults, ...deps.reclamation };
    this.store = new IndexedStore(deps.store, sweep && { clock: deps.clock, graceMs: sweep.graceMs });
    this.service = new RepairService(this.store);
    this.antiEntropy = new AntiEntropy({
      ...deps,
      store: this.store,
      config: { ...antiEntropyDefaults, ...deps.antiEntropy, replicationFactor: deps.replicationFactor },
    });
    this.rebalancer = deps.membership
      ? new Rebalancer({
          ...deps,
          membership: deps.membership,
          store: this.store,
          requestTimeoutMs: deps.antiEntropy?.requestTimeoutMs ?? antiEntropyDefaults.requestTimeoutMs,
        })
      : undefined;
    this.sweeper = sweep && this.buildSweeper(sweep);
  }

  private buildSweeper(config: SweeperConfig): Sweeper {
    const { self, membership } = this.deps;
    return new Sweeper({
      ...this.deps,
      store: this.store,
      config,
      readReplica: async (node, key) =>
        (await this.deps.peers.request(node, { type: 'replica-read', key }, limits.replicaTimeoutMsDefault))
          .record ?? undefined,
      selfStatus: this.deps.selfStatus ?? (() => membership?.member?.(self)?.status),
      rangesPending: () => this.rebalanceStatus().rangesPending,
    });
  }

  /** What storage reclamation did (all zero when it is off). */
  reclamationStatus(): ReclamationStatus {
    return (
      this.sweeper?.status() ?? {
        tombstonesCollected: 0,
        recordsCleaned: 0,
        tombstonesRefused: 0,
        hintsExpired: 0,
        passes: 0,
        recordsExamined: 0,
        failedTicks: 0,
      }
    );
  }

  /** Streaming progress (all zero on a node that never moved data). */
  rebalanceStatus(): RebalanceStatus {
    return (
      this.rebalancer?.status() ?? {
        rangesPending: 0,
        keysMoved: 0,
        bytesMoved: 0,
        keysPerSecond: 0,
        bytesPerSecond: 0,
      }
    );
  }

  /** Answers a repair request; undefined for any other request (the data plane serves those). */
  serve(request: PeerRequest): Promise<PeerReply> | undefined {
    if (request.type === 'repair-digest') return Promise.resolve(this.service.serveDigest(request));
    if (request.type === 'repair-fetch') return Promise.resolve(this.service.serveFetch(request));
    if (request.type === 'repair-push') return this.service.servePush(request);
    return undefined;
  }

  start(): void {
    if (this.deps.antiEntropyEnabled !== false) this.antiEntropy.start();
    this.rebalancer?.start();
    this.sweeper?.start();
  }

  stop(): void {
    this.antiEntropy.stop();
    this.rebalancer?.stop();
    this.sweeper?.stop();
  }
}
