/**
 * The cluster's ring and members, kept live: read on every (re)connect, replaced by pushed `ring` and
 * `nodes` events, and `/nodes` re-read every couple of seconds so key counts move even when no event
 * says so. A membership change seen in `/nodes` also re-reads the ring.
 */
import type { NodeInfo, RingResult } from '@ringkv/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { nodesPollIntervalMs } from '../config/limits.js';
import type { ClusterSource, ConnectionState } from '../connection/cluster-source.js';

export interface ClusterView {
  ring: RingResult | null;
  nodes: NodeInfo[] | null;
  connection: ConnectionState;
  /** Re-reads ring and nodes now (after an operation that changes membership). */
  refresh: () => void;
}

const initialConnection: ConnectionState = {
  status: 'connecting',
  attempt: 0,
  nextAttemptAt: null,
  lastOpenAt: null,
};

function membershipChanged(ring: RingResult | null, nodes: readonly NodeInfo[]): boolean {
  if (!ring) return true;
  const ringNodes = new Set(ring.tokens.map((vnode) => vnode.node));
  const listed = nodes.filter((node) => node.status !== 'dead' && node.status !== 'joining');
  return listed.some((node) => !ringNodes.has(node.id));
}

export function useCluster(source: ClusterSource | null): ClusterView {
  const [ring, setRing] = useState<RingResult | null>(null);
  const [nodes, setNodes] = useState<NodeInfo[] | null>(null);
  const [connection, setConnection] = useState<ConnectionState>(initialConnection);
  const ringRef = useRef<RingResult | null>(null);
  ringRef.current = ring;

  const readRing = useCallback(() => {
    source
      ?.request('ring', {})
      .then(setRing)
      .catch((error: unknown) => console.warn('ringkv dashboard: ring read failed', error));
  }, [source]);

  const readNodes = useCallback(async () => {
    if (!source) return;
    const result = await source.request('nodes', {});
    setNodes(result.nodes);
    if (membershipChanged(ringRef.current, result.nodes)) readRing();
  }, [source, readRing]);

  const refresh = useCallback(() => {
    readRing();
    readNodes().catch((error: unknown) => console.warn('ringkv dashboard: nodes read failed', error));
  }, [readRing, readNodes]);

  useEffect(() => {
    if (!source) return;
    setConnection(source.connection());
    if (source.connection().status === 'open') refresh();
    const stopConnection = source.onConnection((state) => {
      setConnection(state);
      if (state.status === 'open') refresh();
    });
    const stopEvents = source.onEvent((event) => {
      if (event.event === 'ring') setRing(event.data);
      if (event.event === 'nodes') setNodes(event.data.nodes);
    });
    return () => {
      stopConnection();
      stopEvents();
    };
  }, [source, refresh]);

  useNodesPoll(source, connection.status === 'open', readNodes);
  return { ring, nodes, connection, refresh };
}

/** Re-reads `/nodes` on an interval while connected; one read in flight at a time. */
function useNodesPoll(source: ClusterSource | null, connected: boolean, readNodes: () => Promise<void>) {
  useEffect(() => {
    if (!source || !connected) return;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      readNodes()
        .catch((error: unknown) => console.debug('ringkv dashboard: nodes poll failed', error))
        .finally(() => {
          inFlight = false;
        });
    }, nodesPollIntervalMs);
    return () => clearInterval(timer);
  }, [source, connected, readNodes]);
}
