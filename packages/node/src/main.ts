/**
 * The composition root: a validated NodeConfig -> store, node, edges, listening socket. Nothing else
 * builds these objects, and nothing below reaches for globals: each part gets what it needs through its
 * constructor. `createNode` is the one place that decides which NodeApi runs (a ClusterNode, alone a
 * cluster of one); the edges in `io/` only ever see the NodeApi interface.
 *
 * Start order: store -> node -> HTTP + WebSocket -> listen -> serving. Stop order is the reverse:
 * draining (health answers 503, new connections refused) -> WebSockets closed after their in-flight
 * replies -> HTTP closed -> node -> store closed (the persistent engine flushes) -> stopped.
 */
import { limits } from '@ringkv/protocol';
import type { FastifyInstance } from 'fastify';
import { ClusterNode, systemRandom } from './cluster-node.js';
import type { NodeConfig } from './config.js';
import type { Clock } from './core/types.js';
import { Access } from './io/auth.js';
import { Dispatcher } from './io/dispatch.js';
import { buildHttpServer } from './io/http-server.js';
import { Lifecycle } from './io/lifecycle.js';
import { createLogger, type Logger } from './io/logger.js';
import { NodeMetrics } from './io/metrics.js';
import { PeersKeeper, readPeers } from './io/node-peers.js';
import { resolveNodeTokens, writeTokens } from './io/node-tokens.js';
import { dashboardDirDefault } from './io/static.js';
import { systemClock } from './io/system-clock.js';
import { attachUpgradeRouter } from './io/upgrade-router.js';
import { createWsApi, type WsApi } from './io/ws-api.js';
import type { NodeApi } from './node-api.js';
import { openStore } from './store/index.js';
import type { Store } from './store/store.js';

export interface StartOptions {
  /** Defaults to a pino logger on stdout at `config.logLevel`. */
  logger?: Logger;
  /** Where the built dashboard is; defaults to packages/dashboard/dist. */
  dashboardDir?: string;
  clock?: Clock;
}

export interface RunningNode {
  readonly config: NodeConfig;
  readonly node: NodeApi;
  /** `http://ADVERTISE`, the address clients and peers use. */
  readonly url: string;
  readonly lifecycle: Lifecycle;
  /** Drains and stops; safe to call more than once (later calls wait for the first). */
  close(): Promise<void>;
}

type ClosableNode = NodeApi & { close(): Promise<void> };

interface NodeParts {
  config: NodeConfig;
  store: Store;
  clock: Clock;
  metrics: NodeMetrics;
  logger: Logger;
}

/**
 * The one swap point between a single node and a clustered one: every node runs the cluster layer; alone
 * (no --join) it is a cluster of one and answers as a single node would.
 */
async function createNode({ config, store, clock, metrics, logger }: NodeParts): Promise<ClusterNode> {
  const dataDir = 'dataDir' in config.store ? config.store.dataDir : undefined;
  // The members it knew join the seeds: a restart without --join finds its cluster (io/node-peers.ts).
  const kept = dataDir === undefined ? [] : readPeers(dataDir, (message) => logger.warn(message));
  const join = [...new Set([...config.join, ...kept])].filter((seed) => seed !== config.nodeId);
  const tokens = resolveNodeTokens({
    nodeId: config.nodeId,
    vnodes: config.vnodes,
    dataDir,
    storeKeys: store.counts().keys,
    hasSeeds: join.length > 0,
  });
  const node = new ClusterNode({
    tokens,
    onTokensFinal: (final) => {
      if (dataDir !== undefined)
        writeTokens(dataDir, { node: config.nodeId, tokens: final, provisional: false });
      logger.info({ tokens: final.length }, 'ring tokens settled');
    },
    nodeId: config.nodeId,
    store,
    clock,
    random: systemRandom,
    logger,
    vnodes: config.vnodes,
    replicationFactor: config.replicationFactor,
    readQuorum: config.readQuorum,
    writeQuorum: config.writeQuorum,
    join,
    clusterSecret: config.clusterSecret,
    clusterName: config.clusterName,
    sampleOps: () => metrics.window.sample(),
    statsIntervalMs: limits.statsIntervalMs,
  });
  if (dataDir !== undefined) {
    const peers = new PeersKeeper(dataDir, config.nodeId);
    node.membership.onEvent((event) => {
      // Removed itself (remove_node): forget the cluster, so a restart without --join starts alone.
      if (event.type === 'removed' && event.id === config.nodeId) peers.update([]);
      else if (
        event.type === 'ring' ||
        event.type === 'removed' ||
        (event.type === 'member' && !event.previous)
      ) {
        peers.update(node.membership.members().map((member) => member.id));
      }
    });
  }
  return node;
}

function selfCounts(node: NodeApi): { keys: number; bytes: number } {
  const self = node.nodes().nodes.find((info) => info.id === node.nodeId);
  return { keys: self?.keys ?? 0, bytes: self?.bytes ?? 0 };
}

export async function startNode(config: NodeConfig, options: StartOptions = {}): Promise<RunningNode> {
  const logger = options.logger ?? createLogger(config.nodeId, config.logLevel);
  const clock = options.clock ?? systemClock;
  const lifecycle = new Lifecycle();
  const store = await openStore(config.store);
  let node: ClusterNode | undefined;
  let app: FastifyInstance | undefined;
  let wsApi: WsApi | undefined;
  try {
    // The metrics read key counts through the node, which exists only after them: resolve lazily.
    const metrics = new NodeMetrics(
      {
        storeCounts: () => (node ? selfCounts(node) : { keys: 0, bytes: 0 }),
        rebalance: () => node?.nodes().nodes.find((info) => info.id === node?.nodeId)?.rebalance,
        reclamation: () => node?.repair.reclamationStatus(),
        replication: () => node && { ...node.data.batches.stats, ...node.data.coordinator.stats },
        peerServed: () => node?.transport.counters,
        peerLinks: () => node?.transport.stats(),
      },
      () => clock.nowMs(),
    );
    node = await createNode({ config, store, clock, metrics, logger });
    const dispatcher = new Dispatcher(node, metrics, logger, node.data);
    const access = new Access({
      token: config.token,
      allowOrigins: config.allowOrigins,
      host: config.host,
      port: config.port,
      advertise: config.advertise,
    });
    const edges = { node, dispatcher, access, lifecycle, metrics, logger };
    app = await buildHttpServer({ ...edges, dashboardDir: options.dashboardDir ?? dashboardDirDefault });
    wsApi = createWsApi({
      ...edges,
      connectionsMax: config.connectionsMax,
      requestsInflightMax: config.requestsInflightMax,
    });
    const detachUpgrades = attachUpgradeRouter(app.server, [wsApi, node]);
    await app.listen({ port: config.port, host: config.host });
    // Gossip starts once peers can reach us back at /peer.
    node.start();
    lifecycle.moveTo('serving');
    const url = `http://${config.advertise}`;
    logger.info({ url, store: 'memory' in config.store ? 'memory' : config.store.dataDir }, 'serving');
    const running = { node, app, store, wsApi, detachUpgrades, lifecycle, logger };
    let closing: Promise<void> | undefined;
    return {
      config,
      node,
      url,
      lifecycle,
      close: () => {
        closing ??= stop(running);
        return closing;
      },
    };
  } catch (error) {
    // Start-up failed (port in use, ...): release what was opened, then report.
    if (lifecycle.canMoveTo('stopped')) lifecycle.moveTo('stopped');
    await wsApi?.close(0);
    await app?.close();
    await node?.close();
    await store.close();
    throw error;
  }
}

interface RunningParts {
  node: ClosableNode;
  app: FastifyInstance;
  store: Store;
  wsApi: WsApi;
  detachUpgrades: () => void;
  lifecycle: Lifecycle;
  logger: Logger;
}

async function stop(parts: RunningParts): Promise<void> {
  const { lifecycle, logger } = parts;
  lifecycle.moveTo('draining');
  logger.info({}, 'draining');
  await parts.wsApi.close(limits.shutdownDrainMsMax);
  parts.detachUpgrades();
  // The node closes its peer transport, and with it the inbound /peer sockets: the HTTP server's close waits
  // for every connection it accepted, upgraded ones included, so closing the app first would hang until the
  // peers went away (it did, after add_node, when every node of a cluster stopped at once).
  await parts.node.close();
  await parts.app.close();
  await parts.store.close();
  lifecycle.moveTo('stopped');
  logger.info({}, 'stopped');
}
