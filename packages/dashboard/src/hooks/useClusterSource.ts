import { useEffect, useState } from 'react';
import type { ClusterSource } from '../data/cluster-source.js';
import { type Endpoint, endpointFor } from '../data/endpoint.js';
import { WebSocketClusterSource } from '../data/ws-source.js';

/** The page's endpoint (same origin, `?token=` from the URL), read once. */
export function usePageEndpoint(): Endpoint {
  const [endpoint] = useState(() => endpointFor(window.location));
  return endpoint;
}

/** One ClusterSource for the page's lifetime, closed on unmount. */
export function useClusterSource(endpoint: Endpoint): ClusterSource | null {
  const [source, setSource] = useState<ClusterSource | null>(null);
  useEffect(() => {
    const created = new WebSocketClusterSource(endpoint);
    setSource(created);
    return () => created.close();
  }, [endpoint]);
  return source;
}
