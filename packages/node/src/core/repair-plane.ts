/**
 * Everything that moves data between replicas in the background, built once per node (the real node and
 * the simulated one alike): the indexed store the data plane writes through, the repair service that
 * answers peers' digest and fetch requests, and the anti-entropy rounds.
 */
import type { PeerReply, PeerRequest } from '@ringkv/protocol';
import type { Store } from '../store/store.js';
import { AntiEntropy, type AntiEntropyConfig, antiEntropyDefaults } from './anti-entropy.js';
import type { Placement } from './coordinator.js';
import { IndexedStore } from './indexed-store.js';
import { type RebalanceDeps, Rebalancer, type RebalanceStatus } from './rebalance.js';
import { RepairService } from './repair-sync.js';
import type { PeerRequester } from './replica.js';
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
  membership?: RebalanceDeps['membership'];
  /** Anti-entropy rounds on (default true); switched off, repairs happen only through rebalancing. */
  antiEntropyEnabled?: boolean;
}

export class RepairPlane {
  readonly store: IndexedStore;
  readonly service: RepairService;
  readonly antiEntropy: AntiEntropy;
  readonly rebalancer: Rebalancer | undefined;

  constructor(private readonly deps: RepairPlaneDeps) {
    this.store = new IndexedStore(deps.store);
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
  }

  stop(): void {
    this.antiEntropy.stop();
    this.rebalancer?.stop();
  }
}
