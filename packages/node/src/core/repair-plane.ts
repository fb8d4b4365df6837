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
}

export class RepairPlane {
  readonly store: IndexedStore;
  readonly service: RepairService;
  readonly antiEntropy: AntiEntropy;

  constructor(deps: RepairPlaneDeps) {
    this.store = new IndexedStore(deps.store);
    this.service = new RepairService(this.store);
    this.antiEntropy = new AntiEntropy({
      ...deps,
      store: this.store,
      config: { ...antiEntropyDefaults, ...deps.antiEntropy, replicationFactor: deps.replicationFactor },
    });
  }

  /** Answers a repair request; undefined for any other request (the data plane serves those). */
  serve(request: PeerRequest): PeerReply | undefined {
    if (request.type === 'repair-digest') return this.service.serveDigest(request);
    if (request.type === 'repair-fetch') return this.service.serveFetch(request);
    return undefined;
  }

  start(): void {
    this.antiEntropy.start();
  }

  stop(): void {
    this.antiEntropy.stop();
  }
}
